#!/usr/bin/env node
// After `changeset version` bumps packages/fork-stack/package.json, carry the new version into
// src/version.ts (which `fork-stack --version` prints and the built CLI cannot read package.json for
// cheaply). test/distribution/versions.test.ts fails if the two ever disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(path.join(repo, 'packages/fork-stack/package.json'), 'utf8'));
const file = path.join(repo, 'packages/fork-stack/src/version.ts');
const source = readFileSync(file, 'utf8');
const pattern = /^export const VERSION = '[^']*';$/m;
if (!pattern.test(source)) {
  console.error(`sync-versions: no "export const VERSION = '…';" line in ${file}`);
  process.exit(1);
}
const next = source.replace(pattern, `export const VERSION = '${pkg.version}';`);
if (next !== source) {
  writeFileSync(file, next);
  console.log(`sync-versions: src/version.ts now says ${pkg.version}`);
}
