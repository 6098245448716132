import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { renderConfig, LOCAL_STACK } from '../../src/engine/init.js';
import { renderJsonSchema } from '../../src/config/json-schema.js';
import { PACKAGE_DIR } from '../helpers/cli.js';

const file = path.join(PACKAGE_DIR, 'schema', 'fork-stack.schema.json');

describe('JSON Schema for editors', () => {
  it('is checked in and matches the zod schemas (run "npm run schema -w fork-stack" after changing them)', async () => {
    expect(readFileSync(file, 'utf8')).toBe(await renderJsonSchema());
  });

  it('accepts what init writes and rejects a wrong provider', async () => {
    const ajv = new Ajv2020.default({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')));
    const config = parse(await renderConfig({ project: 'app', ...LOCAL_STACK }));
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, database: { provider: 'mongo' } })).toBe(false);
  });

  it('accepts a provider from a package ("npm:<package>") with its own keys, in every kind of section', async () => {
    const ajv = new Ajv2020.default({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')));
    const config = parse(await renderConfig({ project: 'app', ...LOCAL_STACK }));
    const fromPackage = { provider: 'npm:@acme/fork-stack-minio', endpoint: 'http://localhost:9000' };
    expect(validate({ ...config, database: fromPackage }), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, storage: { uploads: { ...fromPackage, default: true } } }), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, cache: { provider: 'npm-like-but-not' } })).toBe(false);
  });
});
