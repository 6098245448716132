/**
 * Per-environment locks, so two fork-stack processes on one machine cannot create, reset or delete the
 * same environment at once (ten creates of different environments still run side by side).
 *
 * A lock is a file created with O_EXCL holding the owner's pid and host. Staleness is decided by asking
 * whether that pid is alive on this host, not by age: a create that takes an hour keeps its lock, and a
 * create killed with SIGKILL frees it at once for the re-run that finishes the job. Locks guard one
 * machine; across a team, the providers' own "already exists" answers are the guard.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperationError } from './errors.js';

interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface Lock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readInfo(file: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)} min ago`;
}

export async function acquireLock(locksDir: string, name: string, command: string): Promise<Lock> {
  await fs.mkdir(locksDir, { recursive: true });
  const file = path.join(locksDir, `${name}.lock`);
  const info: LockInfo = { pid: process.pid, host: os.hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          await fs.rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readInfo(file);
    if (holder === undefined) {
      // Being written this instant by its owner, or left empty by a crash between open and write.
      await new Promise((r) => setTimeout(r, 50));
      const again = await readInfo(file);
      if (again === undefined) await fs.rm(file, { force: true });
      continue;
    }
    if (holder.host === info.host && !alive(holder.pid)) {
      await fs.rm(file, { force: true });
      continue;
    }
    throw new OperationError(
      `environment "${name}" is busy: another fork-stack process (${holder.command}, pid ${holder.pid} on ${holder.host}) started ${ago(holder.startedAt)} and is still running`,
      { hint: 'Wait for it to finish and run the command again. If that process is gone, delete ' + path.relative(process.cwd(), file) + '.' },
    );
  }
  throw new OperationError(`could not take the lock for "${name}" (${file})`);
}
