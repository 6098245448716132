/**
 * Preloaded into the built CLI by the crash suite (NODE_OPTIONS=--import=<this file>) to give kill points
 * that are deterministic instead of timed: it counts the filesystem mutations the process starts
 * (open, copyFile, rename, rm, mkdir, writeFile, chmod, a file handle's write/sync/close, …) and, when
 * RELIABILITY_KILL_AT_OP = n, sends itself SIGKILL just before the n-th one — a real SIGKILL, so no
 * handler, `finally` or exit hook of the CLI runs. It changes nothing else.
 *
 *   RELIABILITY_KILL_AT_OP   n ≥ 1: die before the n-th mutation (0 or unset: never)
 *   RELIABILITY_KILL_BEFORE  a description ("rename .alice.env.<tmp>", "copyFile object-7.bin"): die
 *                            before the RELIABILITY_KILL_NTH-th (default 1st) mutation so described
 *   RELIABILITY_OP_LOG       file: at a normal exit, every mutation's description in order; at a kill,
 *                            the one it died before
 *
 * Mutations done inside native code (SQLite's own writes through libSQL) are not seen; the timed kills of
 * the same suite cover those.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

const killAt = Number(process.env.RELIABILITY_KILL_AT_OP || 0);
const killBefore = process.env.RELIABILITY_KILL_BEFORE;
let killNth = Number(process.env.RELIABILITY_KILL_NTH || 1);
let killed = false;
const sequence = [];
const log = process.env.RELIABILITY_OP_LOG;
let ops = 0;

/** Temp and partial names carry pids and random suffixes; keep the stable part. */
function fileOf(args) {
  const target = args.find((a) => typeof a === 'string' || a instanceof URL);
  if (target === undefined) return '';
  return path.basename(String(target)).replace(/\.\d+\.[0-9a-f]{8}\.tmp$/, '.<tmp>').replace(/^\.(.*)\.partial$/, '.partial($1)');
}

const handleFiles = new WeakMap();

function tick(name, file) {
  ops += 1;
  const what = `${name} ${file}`.trim();
  sequence.push(what);
  if (what === killBefore) killNth -= 1;
  if ((killAt > 0 && ops >= killAt) || (what === killBefore && killNth === 0)) {
    killed = true;
    if (log) fs.writeFileSync(log, JSON.stringify({ killedAt: ops, before: what }));
    process.kill(process.pid, 'SIGKILL');
  }
}

const MUTATIONS = ['open', 'copyFile', 'cp', 'rename', 'rm', 'rmdir', 'unlink', 'mkdir', 'writeFile', 'appendFile', 'chmod', 'symlink', 'truncate', 'utimes'];
let handlePatched = false;

function patchHandle(handle) {
  if (handlePatched || !handle) return;
  handlePatched = true;
  const proto = Object.getPrototypeOf(handle);
  for (const name of ['writeFile', 'write', 'sync', 'datasync', 'close', 'chmod', 'truncate']) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    proto[name] = function patched(...args) {
      tick(`handle.${name}`, handleFiles.get(this) ?? '');
      return original.apply(this, args);
    };
  }
}

for (const name of MUTATIONS) {
  const original = fs.promises[name];
  if (typeof original !== 'function') continue;
  fs.promises[name] = function patched(...args) {
    const file = fileOf(args);
    tick(name, file);
    const result = original.apply(this, args);
    if (name === 'open') {
      return result.then((handle) => {
        patchHandle(handle);
        handleFiles.set(handle, file);
        return handle;
      });
    }
    return result;
  };
}

// `import { copyFile } from 'node:fs/promises'` sees the patched functions too.
syncBuiltinESMExports();

process.on('exit', () => {
  if (log && !killed) fs.writeFileSync(log, JSON.stringify({ ops, sequence }));
});
