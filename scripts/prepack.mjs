#!/usr/bin/env node
// `prepack` of each published package (npm runs it with the package folder as the working directory,
// before `npm pack` and `npm publish`): copy the repository's LICENSE into the package, since npm only
// packs files inside the package folder. The copy is git-ignored; the root LICENSE stays the one to edit.
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const license = path.join(repo, 'LICENSE');
if (!existsSync(license)) {
  console.error(`prepack: ${license} is missing; a published package must carry the license text (Apache-2.0)`);
  process.exit(1);
}
copyFileSync(license, path.join(process.cwd(), 'LICENSE'));
