#!/usr/bin/env node
// Build into a fresh directory, then swap it in for dist/ in two renames. Clean output (no stale
// chunks from earlier builds) while another process may be running the previous build.
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const next = path.join(pkg, `dist.next-${process.pid}`);
const old = path.join(pkg, `dist.old-${process.pid}`);
const dist = path.join(pkg, 'dist');
const tsup = path.join(pkg, 'node_modules', '.bin', 'tsup');
const bin = existsSync(tsup) ? tsup : path.join(pkg, '..', '..', 'node_modules', '.bin', 'tsup');
try {
  execFileSync(bin, ['--out-dir', next, '--silent'], { cwd: pkg, stdio: ['ignore', 'inherit', 'inherit'] });
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  process.exit(typeof error.status === 'number' ? error.status : 1);
}
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
