/**
 * The readers' naming-convention fallbacks must equal what the engine's providers publish for the same
 * fork-stack.toml, or an app would read a different database than `fork-stack switch` wrote. This runs
 * the real config loader and provider modules next to the runtime. (Only providers that exist in the
 * engine can be compared; add each new provider with a convention here.)
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config/load.js';
import { fileUrl as engineFileUrl } from '../../src/providers/database/sqlite.js';
import { lookup } from '../../src/providers/registry.js';
import type { ProviderContext, ProviderModule } from '../../src/providers/types.js';
import { EnvConfig } from '../../src/runtime/index.js';
import { fileUrl as readerFileUrl } from '../../src/runtime/conventions.js';

const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fork-stack-agreement-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function engineVariables(root: string, env: string): Promise<Record<string, string>> {
  const file = path.join(root, 'fork-stack.toml');
  const config = await parseConfig(readFileSync(file, 'utf8'), file);
  const out: Record<string, string> = {};
  for (const slot of config.slots) {
    const entry = lookup(slot.kind, slot.provider);
    if (!entry) throw new Error(`no provider ${slot.provider}`);
    const mod = (await entry.load()) as ProviderModule;
    const ctx = {
      project: config.project,
      slot: slot.id,
      kind: slot.kind,
      bucket: slot.bucket,
      options: slot.options,
      root,
      stateDir: path.join(root, '.fork-stack'),
      env: {},
      roots: config.roots,
      protectedEnvs: config.protected,
      signal: new AbortController().signal,
      progress: () => undefined,
      warn: () => undefined,
      now: () => new Date(),
    } satisfies ProviderContext;
    if (slot.kind === 'secrets') continue;
    Object.assign(out, await mod.provider.variables(ctx, env));
  }
  return out;
}

const configs: Record<string, string> = {
  'defaults': 'project = "myapp"\n[database]\nprovider = "sqlite"\n[storage.uploads]\nprovider = "fs"\n',
  'custom paths and two buckets': [
    'project = "shop"',
    '[database]',
    'provider = "sqlite"',
    'path = "./var/db dir/{project} é#?%[]~ {env}.sqlite"',
    'names = { prod = "/srv/{project}/main.db" }',
    '[storage.media]',
    'provider = "fs"',
    'dir = "store/./files/../buckets"',
    'name = "{project}-m-{env}"',
    '[storage.user-files]',
    'provider = "fs"',
    'default = true',
    'names = { prod = "prod files" }',
  ].join('\n'),
  'bucket named default': 'project = "p1"\n[storage.a]\nprovider = "fs"\n[storage.default]\nprovider = "fs"\ndir = "/tmp/abs-buckets"\n',
};

describe('reader fallbacks equal the engine providers\' variables', () => {
  for (const [name, toml] of Object.entries(configs)) {
    for (const env of ['dev', 'alice', 'prod', 'pr-42']) {
      it(`${name}, env ${env}`, async () => {
        const root = path.join(base, `${name.replace(/\W+/g, '-')}-${env}`);
        mkdirSync(root, { recursive: true });
        writeFileSync(path.join(root, 'fork-stack.toml'), toml);
        const engine = await engineVariables(root, env);
        const reader = new EnvConfig({ cwd: root, env: { FORK_STACK_ENV: env } });
        const checked = Object.keys(engine);
        expect(checked.length).toBeGreaterThan(0);
        for (const [key, value] of Object.entries(engine)) {
          let actual: string;
          if (key === 'DATABASE_URL') actual = reader.getDatabaseUrl();
          else if (key === 'BUCKET_NAME') actual = reader.getBucketName();
          else if (key.startsWith('BUCKET_')) actual = reader.getBucketName(key.slice('BUCKET_'.length));
          else throw new Error(`no reader accessor compared for ${key}`);
          expect(actual, key).toBe(value);
        }
      });
    }
  }
});

describe('file: URL encoding equals the sqlite provider\'s fileUrl()', () => {
  const samples = ['/plain/path.db', '/with space/and#hash?q=1&x.db', '/ünïcødé/日本/😀.db', '/all/ !"#$%&\'()*+,-.:;<=>?@[\\]^_`{|}~.db', '/ctl/\t\n\r\x01\x7f.db'];
  let ascii = '/ascii/';
  for (let c = 0x20; c < 0x7f; c++) if (c !== 0x2f) ascii += String.fromCharCode(c);
  it.each([...samples, ascii])('%j', (file) => {
    expect(readerFileUrl(file)).toBe(engineFileUrl(file));
  });
});
