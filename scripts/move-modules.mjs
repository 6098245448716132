#!/usr/bin/env node
/**
 * Moves directories of modules and rewrites every relative import that points into or out of them
 * (static, side-effect, dynamic and vi.mock specifiers), across the repository's TypeScript and JavaScript.
 * Usage: node scripts/move-modules.mjs <from-dir>=<to-dir> ...  (paths relative to the repository root)
 */
import { readFileSync, writeFileSync, readdirSync, statSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = process.cwd();
const moves = process.argv.slice(2).map((a) => a.split('=').map((p) => path.resolve(root, p)));
const mapPath = (abs) => {
  for (const [from, to] of moves) {
    if (abs === from || abs.startsWith(from + path.sep)) return to + abs.slice(from.length);
    // A moved .ts file is imported as .js (ESM with TypeScript's rewriting).
    const js = (p) => p.replace(/\.ts$/, '.js');
    if (from.endsWith('.ts') && abs === js(from)) return js(to);
  }
  return abs;
};
const files = execFileSync('git', ['ls-files', '*.ts', '*.mts', '*.mjs', '*.js', '*.tsx'], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => path.resolve(root, f));
const SPEC = /((?:from|import|vi\.mock|vi\.importActual|require)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;
const rewrites = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const newFile = mapPath(file);
  let changed = false;
  const out = text.replace(SPEC, (all, head, q, spec) => {
    const target = path.resolve(path.dirname(file), spec);
    const newTarget = mapPath(target);
    if (newTarget === target && newFile === file) return all;
    let rel = path.relative(path.dirname(newFile), newTarget).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    if (rel === spec) return all;
    changed = true;
    return `${head}${q}${rel}${q}`;
  });
  if (changed) rewrites.set(file, out);
}
for (const [file, text] of rewrites) writeFileSync(file, text);
for (const [from, to] of moves) {
  mkdirSync(path.dirname(to), { recursive: true });
  execFileSync('git', ['mv', from, to]);
}
console.log(`moved ${moves.length} directories, rewrote imports in ${rewrites.size} files`);
