/**
 * Atomic file replacement: write a sibling temp file, fsync it, rename over the target. Readers (the
 * app, another fork-stack process, an editor) see either the old or the new file, never a torn one,
 * even if this process is killed mid-write.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { withFsErrors } from './os-error.js';

const TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temp files a killed writer left beside `file` (they may hold secret values). A temp file of a
 * process that is still alive is its write in progress and is left alone.
 */
export async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names.map(async (name) => {
      const m = TEMP.exec(name);
      if (!m || m[1] !== base || processAlive(Number(m[2]))) return;
      await fs.rm(path.join(dir, name), { force: true });
    }),
  );
}

export interface WriteOptions {
  /** File mode for a new file; an existing file keeps its mode unless `forceMode`. */
  mode?: number;
  forceMode?: boolean;
}

export async function writeFileAtomic(file: string, content: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  // Errors name the file being written (never its temp sibling) and the cause in words (os-error.ts).
  await withFsErrors({ file, action: 'write' }, () => writeThroughTemp(file, content, options));
  await removeStaleTemps(file);
}

async function writeThroughTemp(file: string, content: string | Uint8Array, options: WriteOptions): Promise<void> {
  const dir = path.dirname(file);
  // Named on its own: "could not create directory <dir>", not the file.
  await withFsErrors({ action: 'create directory' }, () => fs.mkdir(dir, { recursive: true }));
  let mode = options.mode ?? 0o644;
  if (!options.forceMode) {
    try {
      mode = (await fs.stat(file)).mode & 0o777;
    } catch {
      /* new file: use the requested mode */
    }
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open() applies the umask; chmod makes 0600 really 0600.
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
  } catch (error) {
    // Whatever failed (a full disk mid-write, a failed fsync or rename), the temp file may hold secret
    // values: it goes, and the original error is the one reported.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}

export async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function pathExists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Remove `file` and then its now-empty parent directories, up to `levels` of them (a ledger's slot
 * directory, then the ledger's own), so that no empty state directories are left behind.
 */
export async function removeAndPrune(file: string, levels: number): Promise<void> {
  await fs.rm(file, { force: true });
  let dir = path.dirname(file);
  for (let i = 0; i < levels; i++, dir = path.dirname(dir)) {
    try {
      await fs.rmdir(dir);
    } catch {
      return;
    }
  }
}
