/**
 * Per-environment locks, so two fork-stack processes on one machine cannot create, reset or delete the
 * same environment at once (ten creates of different environments still run side by side).
 *
 * Staleness is decided by asking whether the holder's pid is alive on this host, not by age: a create
 * that takes an hour keeps its lock, and one killed with SIGKILL frees it at once for the re-run that
 * finishes the job. That rules out mtime-based libraries such as proper-lockfile (a holder whose event
 * loop stalls past the stale time loses its lock; a killed one blocks the re-run until the stale time
 * passes), so the scheme is hand-written; every step is one atomic filesystem call, and why it excludes
 * is in docs/architecture.md ("Locks"):
 *
 * - The lock is the directory `<name>.lock` holding exactly one file, `<token>.json` (pid, host, command,
 *   start time), where the token is random per acquisition.
 * - Taking it: build `.<name>.lock.<pid>.<token>.tmp/<token>.json`, then rename that directory to `<name>.lock`.
 *   rename(2) succeeds only while `<name>.lock` is absent or an empty directory, so the lock appears
 *   whole (never half-written) and only when nobody holds it.
 * - Taking over a stale lock: unlink `<name>.lock/<token>.json` of the dead holder. The token in the path
 *   makes that a compare-and-delete: it can only ever remove that holder's file, never a lock another
 *   racer has meanwhile taken, and the now empty directory is free for the next rename.
 * - Release unlinks the holder's own `<token>.json` (so it never removes another's lock), then the
 *   directory if it is empty.
 */
import { randomBytes } from 'node:crypto';
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

const code = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

async function readJson(file: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await fs.readFile(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && typeof info.host === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)} min ago`;
}

function dead(info: LockInfo | undefined): boolean {
  return info !== undefined && info.host === os.hostname() && !alive(info.pid);
}

/** Temp directories of acquisitions killed before their rename (named after their pid): removed once it is gone. */
async function sweepTemps(locksDir: string, name: string): Promise<void> {
  const prefix = `.${name}.lock.`;
  const entries = await fs.readdir(locksDir).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = Number(entry.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) await fs.rm(path.join(locksDir, entry), { recursive: true, force: true });
  }
}

type Holder = { kind: 'none' } | { kind: 'held'; token: string; info: LockInfo | undefined } | { kind: 'legacy'; info: LockInfo | undefined };

/** Who holds `lockPath` now, as far as one look can tell. */
async function holderOf(lockPath: string): Promise<Holder> {
  let entries: string[];
  try {
    entries = await fs.readdir(lockPath);
  } catch (error) {
    if (code(error) === 'ENOENT') return { kind: 'none' };
    // A lock file written by fork-stack before locks were directories.
    if (code(error) === 'ENOTDIR') return { kind: 'legacy', info: await readJson(lockPath) };
    throw error;
  }
  const entry = entries.find((e) => e.endsWith('.json'));
  if (entry === undefined) return { kind: 'none' };
  const token = entry.slice(0, -'.json'.length);
  return { kind: 'held', token, info: await readJson(path.join(lockPath, entry)) };
}

function busy(name: string, lockPath: string, holder: LockInfo | undefined): OperationError {
  const who = holder ? `(${holder.command}, pid ${holder.pid} on ${holder.host}) started ${ago(holder.startedAt)} and is still running` : 'holds it';
  return new OperationError(`environment "${name}" is busy: another fork-stack process ${who}`, {
    hint: 'Wait for it to finish and run the command again. If that process is gone, delete ' + path.relative(process.cwd(), lockPath) + '.',
  });
}

export async function acquireLock(locksDir: string, name: string, command: string): Promise<Lock> {
  await fs.mkdir(locksDir, { recursive: true });
  const lockPath = path.join(locksDir, `${name}.lock`);
  const token = randomBytes(12).toString('hex');
  const info: LockInfo = { pid: process.pid, host: os.hostname(), command, startedAt: new Date().toISOString() };
  await sweepTemps(locksDir, name);

  const temp = path.join(locksDir, `.${name}.lock.${process.pid}.${token}.tmp`);
  await fs.mkdir(temp, { mode: 0o700 });
  try {
    await fs.writeFile(path.join(temp, `${token}.json`), JSON.stringify(info), { mode: 0o600 });
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await fs.rename(temp, lockPath);
        return ownLock(lockPath, token);
      } catch (error) {
        if (!['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR'].includes(code(error) ?? '')) throw error;
      }
      const holder = await holderOf(lockPath);
      if (holder.kind === 'none') continue; // released, or emptied by a takeover, this instant
      if (holder.kind === 'legacy') {
        if (!dead(holder.info)) throw busy(name, lockPath, holder.info);
        // Old-format file of a dead holder. unlink never removes a directory, so never a lock taken since.
        await fs.unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (holder.info === undefined) {
        // Its file vanished between readdir and read: released this instant. Look again.
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      if (!dead(holder.info)) throw busy(name, lockPath, holder.info);
      // Compare-and-delete: removes only the dead holder's own file (ENOENT if another racer did).
      await fs.unlink(path.join(lockPath, `${holder.token}.json`)).catch((error) => {
        if (code(error) !== 'ENOENT') throw error;
      });
    }
    throw new OperationError(`could not take the lock for "${name}" (${lockPath}): it kept changing hands`, { hint: 'Run the command again.' });
  } finally {
    await fs.rm(temp, { recursive: true, force: true });
  }
}

function ownLock(lockPath: string, token: string): Lock {
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      // Our own file only: a lock that is no longer ours (taken over, deleted by hand) is left alone.
      await fs.unlink(path.join(lockPath, `${token}.json`)).catch(() => undefined);
      // Empty now unless someone else has taken it since, in which case rmdir fails and that is right.
      await fs.rmdir(lockPath).catch(() => undefined);
    },
  };
}
