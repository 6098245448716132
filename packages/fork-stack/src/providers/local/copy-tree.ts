/**
 * Copy a directory tree: each file a copy-on-write clone where the filesystem supports it (a kernel
 * copy otherwise), many at once, symlinks copied as links (never followed out of the tree), modes kept.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';

export interface CopyProgress {
  files: number;
  bytes: number;
}

export async function copyTree(
  from: string,
  to: string,
  options: { concurrency: number; signal?: AbortSignal; onProgress?: (p: CopyProgress) => void },
): Promise<CopyProgress> {
  const limit = pLimit(options.concurrency);
  const progress: CopyProgress = { files: 0, bytes: 0 };
  let lastReport = 0;
  const report = () => {
    const now = Date.now();
    if (now - lastReport > 100) {
      lastReport = now;
      options.onProgress?.({ ...progress });
    }
  };
  const tasks: Promise<unknown>[] = [];
  // Each task is observed from the start: one stopped by the abort signal while the walk is still
  // reading directories would otherwise be an unhandled rejection, which ends the CLI on Ctrl-C before
  // its rollback and lock release. Its outcome is read by the settling below.
  const queue = (task: () => Promise<unknown>) => {
    const promise = limit(task);
    promise.catch(() => undefined);
    tasks.push(promise);
  };

  const walk = async (src: string, dst: string): Promise<void> => {
    options.signal?.throwIfAborted();
    const [entries, stat] = await Promise.all([fs.readdir(src, { withFileTypes: true }), fs.stat(src)]);
    await fs.mkdir(dst, { mode: stat.mode & 0o7777 });
    const subdirs: Promise<void>[] = [];
    for (const entry of entries) {
      const s = path.join(src, entry.name);
      const d = path.join(dst, entry.name);
      if (entry.isDirectory()) subdirs.push(walk(s, d));
      else if (entry.isSymbolicLink()) queue(async () => fs.symlink(await fs.readlink(s), d));
      else if (entry.isFile())
        queue(async () => {
          options.signal?.throwIfAborted();
          await fs.copyFile(s, d, fsConstants.COPYFILE_FICLONE);
          const { size } = await fs.stat(d);
          progress.files++;
          progress.bytes += size;
          report();
        });
    }
    // Every subdirectory's walk ends before this one does, so no task is queued after the settling below.
    const walked = await Promise.allSettled(subdirs);
    const failedWalk = walked.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failedWalk) throw failedWalk.reason;
  };

  // Settle every task before reporting a failure (a walk stopped by the abort signal included), so
  // nothing writes into the tree after we return.
  const walkFailure = await walk(from, to).then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  const results = await Promise.allSettled(tasks);
  if (walkFailure) throw walkFailure.error;
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  options.onProgress?.({ ...progress });
  return progress;
}
