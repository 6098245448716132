// Rewrites schema/fork-stack.schema.json from the zod schemas. Run: npm run schema -w fork-stack
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJsonSchema } from '../src/config/json-schema.js';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'fork-stack.schema.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, await renderJsonSchema());
console.log(`wrote ${out}`);
