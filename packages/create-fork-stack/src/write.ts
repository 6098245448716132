/**
 * Writing the project all at once: into a hidden sibling folder first, renamed into place when every
 * file is there. A failure leaves nothing behind — no half-written project, no stray parent folders.
 */
import { promises as fs, existsSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { OperationError, UsageError } from 'fork-stack';
import type { PlannedFile } from './files.js';

/** Bad targets are usage errors (exit 2) found before anything is written. */
export function checkTarget(target: string, shown: string): void {
  if (!existsSync(target)) return;
  const stat = lstatSync(target);
  if (!stat.isDirectory()) {
    throw new UsageError(`${shown} exists and is not a directory`, { hint: 'Choose another name for the new project.' });
  }
  const entries = readdirSync(target);
  if (entries.length > 0) {
    const some = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
    throw new UsageError(`${shown} already exists and is not empty (${some})`, {
      hint: 'Choose a new directory name, or empty that one first; create-fork-stack never writes into a non-empty directory.',
    });
  }
}

/** The highest ancestor of `dir` that does not exist yet (what a rollback removes), or undefined. */
function firstMissingAncestor(dir: string): string | undefined {
  let missing: string | undefined;
  for (let current = dir; !existsSync(current); current = path.dirname(current)) {
    missing = current;
    if (path.dirname(current) === current) break;
  }
  return missing;
}

export interface Written {
  /** Remove what writeProject made (after a later step failed); an empty target folder stays. */
  rollback(): Promise<void>;
}

export async function writeProject(target: string, files: PlannedFile[], shown: string): Promise<Written> {
  checkTarget(target, shown);
  const existed = existsSync(target);
  const parent = path.dirname(target);
  const createdParent = firstMissingAncestor(parent);
  const staging = path.join(parent, `.${path.basename(target)}.create-fork-stack-${process.pid}`);
  try {
    await fs.rm(staging, { recursive: true, force: true });
    await fs.mkdir(staging, { recursive: true });
    for (const file of files) {
      const destination = path.join(staging, ...file.path.split('/'));
      await fs.mkdir(path.dirname(destination), { recursive: true });
      await fs.writeFile(destination, file.content, { mode: file.executable ? 0o755 : 0o644, flag: 'wx' });
    }
    // An existing empty target (checked above) is replaced by the finished folder.
    if (existed) await fs.rmdir(target);
    await fs.rename(staging, target);
  } catch (error) {
    // Best effort: the cause (say, a parent that is a file) may make the clean-up fail the same way.
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (createdParent) await fs.rm(createdParent, { recursive: true, force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    throw new OperationError(`could not write ${shown}: ${code ? `${code}: ` : ''}${(error as Error).message}`, {
      hint: code === 'EACCES' || code === 'EPERM' ? 'Choose a directory you can write to.' : 'Nothing was written; fix the cause and run again.',
      cause: error,
    });
  }
  return {
    async rollback() {
      await fs.rm(createdParent ?? target, { recursive: true, force: true });
      if (existed) await fs.mkdir(target);
    },
  };
}
