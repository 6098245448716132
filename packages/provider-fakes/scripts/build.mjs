#!/usr/bin/env node
// Compile into a fresh directory, then swap it in for dist/: clean output, and a test that is running the
// previous build (the standalone server) is never handed a half-written dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const next = path.join(pkg, `dist.next-${process.pid}`);
const old = path.join(pkg, `dist.old-${process.pid}`);
const dist = path.join(pkg, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', pkg, '--outDir', next], { cwd: pkg, stdio: ['ignore', 'inherit', 'inherit'] });
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  process.exit(typeof error.status === 'number' ? error.status : 1);
}
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
