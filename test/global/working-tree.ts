/**
 * vitest globalSetup: the suite must leave the repository's stacks/ and examples/ as it found them —
 * no .current-env switched, no .env.local or .fork-stack/ written, no database under them changed (the
 * stacks' and examples' tests run in throwaway copies, and their own integration targets restore the
 * checkout; see test/stacks/local-state.test.ts). Before the run it records what git reports there,
 * ignored files included, with a hash of each such file's content; after the run it compares, and a
 * difference fails the run (exit code 1) with the paths that changed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WATCHED = ['stacks', 'examples'];
/** Build caches of the language tools, not state. */
const CACHE = /(^|\/)(__pycache__|node_modules|target|\.venv)(\/|$)|(^|\/)Cargo\.lock$/;

function state(): Map<string, string> {
  const out = new Map<string, string>();
  let listing: string;
  try {
    listing = execFileSync('git', ['status', '--porcelain=v1', '-z', '--ignored=matching', '--untracked-files=all', '--', ...WATCHED], { cwd: REPO, encoding: 'utf8' });
  } catch {
    return out; // not a git checkout (a packed copy): nothing to compare
  }
  for (const entry of listing.split('\0').filter(Boolean)) {
    const file = entry.slice(3);
    if (CACHE.test(file)) continue;
    const full = path.join(REPO, file);
    const hash = existsSync(full) && lstatSync(full).isFile() ? createHash('sha256').update(readFileSync(full)).digest('hex') : 'dir-or-gone';
    out.set(file, `${entry.slice(0, 2)} ${hash}`);
  }
  return out;
}

export default function setup(): () => void {
  const before = state();
  return () => {
    const after = state();
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((file) => before.get(file) !== after.get(file)).sort();
    if (changed.length === 0) return;
    process.stderr.write(`\nThe test run changed the repository's ${WATCHED.join('/ and ')}/ (tests must work in throwaway copies):\n${changed.map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  };
}
