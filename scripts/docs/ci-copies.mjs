#!/usr/bin/env node
/**
 * docs/ci/index.md shows each workflow template of docs/ci/ in a ```yaml file=<path> block, so the
 * page reads well on GitHub and on the site; this rewrites those copies from the files
 * (test/docs/ci-templates.test.ts fails when they differ). Run by `npm run docs:gen`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'ci');
const page = path.join(CI_DIR, 'index.md');
const text = readFileSync(page, 'utf8');
const next = text.replace(/^```yaml file=(\S+)\n[\s\S]*?^```$/gm, (_, file) => `\`\`\`yaml file=${file}\n${readFileSync(path.join(CI_DIR, file), 'utf8')}\`\`\``);
if (next !== text) {
  writeFileSync(page, next);
  console.log('rewrote the template copies in docs/ci/index.md');
} else console.log('docs/ci/index.md is up to date');
