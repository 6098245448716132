#!/usr/bin/env node
// npm run bench [-- <name> ...] [-- --record]
// Runs every bench/*.bench.mjs (or the named ones) one after another. Each prints a table of its
// measurements with ratios against a baseline measured in the same run; --record also writes the
// table to bench/results/<name>.md.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).sort();
const chosen = names.length ? all.filter((f) => names.some((n) => f.startsWith(n))) : all;
if (chosen.length === 0) {
  console.error(`no benchmark matches ${names.join(', ')}; available: ${all.map((f) => f.replace('.bench.mjs', '')).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const file of chosen) {
  console.log(`\n## ${file.replace('.bench.mjs', '')}\n`);
  const result = spawnSync(process.execPath, [path.join(dir, file), ...flags], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
