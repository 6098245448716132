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
import { parseConfig } from '../../src/config/load.js';
import { fileUrl as engineFileUrl } from '../../src/providers/database/sqlite.js';
import { lookup } from '../../src/providers/registry.js';
import type { ProviderContext, ProviderModule } from '../../src/providers/types.js';
import { EnvConfig } from '../../src/runtime/index.js';
import { fileUrl as readerFileUrl } from '../../src/runtime/conventions.js';

const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fork-stack-agreement-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function engineVariables(root: string, env: string, processEnv: Record<string, string | undefined> = {}): Promise<Record<string, string>> {
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
      env: processEnv,
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

// Credentials the cloud providers' clients want before they would make any call (none is made here).
const CLOUD_ENV = { AWS_ACCESS_KEY_ID: 'AKIAFAKE', AWS_SECRET_ACCESS_KEY: 'fake', AWS_REGION: 'eu-west-1', REDIS_URL: 'redis://127.0.0.1:1' };

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
  's3, r2 and tigris buckets': [
    'project = "shop"',
    'roots = ["prod"]',
    '[storage.media]',
    'provider = "s3"',
    '[storage.assets]',
    'provider = "r2"',
    'account_id = "0123456789abcdef0123456789abcdef"',
    'name = "{project}-{bucket}-x-{env}"',
    'names = { prod = "shop-assets" }',
    '[storage.logs]',
    'provider = "tigris"',
  ].join('\n'),
  's3 prefix mode': 'project = "shop"\nroots = ["prod"]\n[storage.uploads]\nprovider = "s3"\nmode = "prefix"\nbucket = "shop-shared"\nnames = { staging = "stage" }\n',
  'r2 prefix mode, key_prefix': 'project = "shop"\n[storage.uploads]\nprovider = "r2"\naccount_id = "0123456789abcdef0123456789abcdef"\nmode = "prefix"\nbucket = "shop-shared"\nkey_prefix = "envs/{env}/"\n',
  'redis prefix and bullmq': 'project = "shop"\n[cache]\nprovider = "redis"\nnames = { prod = "legacy:" }\n[queue]\nprovider = "bullmq"\nprefix = "q:{project}:{env}"\n',
  'valkey custom prefix': 'project = "shop"\n[cache]\nprovider = "valkey"\nprefix = "{project}/{env}/"\n',
};

/** The reader's value for a variable the engine produced; undefined for variables no accessor reads. */
function readerValue(reader: EnvConfig, key: string): string | undefined {
  if (key === 'DATABASE_URL') return reader.getDatabaseUrl();
  if (key === 'BUCKET_NAME') return reader.getBucketName();
  if (key === 'BUCKET_KEY_PREFIX') return reader.getS3Key('', '').slice(0, -1);
  if (key === 'CACHE_KEY_PREFIX') return reader.getCacheKeyPrefix();
  if (key === 'QUEUE_PREFIX') return reader.getQueuePrefix();
  if (/^BUCKET_[A-Z0-9_]+_KEY_PREFIX$/.test(key)) return undefined;
  if (key.startsWith('BUCKET_')) return reader.getBucketName(key.slice('BUCKET_'.length));
  return undefined;
}

describe('reader fallbacks equal the engine providers\' variables', () => {
  for (const [name, toml] of Object.entries(configs)) {
    for (const env of ['dev', 'alice', 'prod', 'pr-42']) {
      it(`${name}, env ${env}`, async () => {
        const root = path.join(base, `${name.replace(/\W+/g, '-')}-${env}`);
        mkdirSync(root, { recursive: true });
        writeFileSync(path.join(root, 'fork-stack.toml'), toml);
        const engine = await engineVariables(root, env, CLOUD_ENV);
        const reader = new EnvConfig({ cwd: root, env: { FORK_STACK_ENV: env } });
        const compared = Object.entries(engine).filter(([key]) => readerValue(reader, key) !== undefined || key === 'BUCKET_KEY_PREFIX');
        expect(compared.length).toBeGreaterThan(0);
        for (const [key, value] of compared) expect(readerValue(reader, key), key).toBe(value);
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

describe('the turso convention equals what the turso provider reads from the Turso API (fake)', () => {
  it.each(['alice', 'prod', 'pr-42'])('env %s', async (env) => {
    const { startFake } = await import('@fork-stack/provider-fakes');
    const fake = await startFake('turso');
    try {
      const root = path.join(base, `turso-${env}`);
      mkdirSync(root, { recursive: true });
      writeFileSync(path.join(root, 'fork-stack.toml'), `project = "shop"\nroots = ["prod"]\n[database]\nprovider = "turso"\norganization = "${fake.state.organization}"\n`);
      const reader = new EnvConfig({ cwd: root, env: { FORK_STACK_ENV: env } });
      // The database the provider names for env (the reader's own convention decides which one to seed:
      // the comparison is of the URL the API reports for it).
      const suffix = `-${fake.state.organization}.turso.io`;
      const url = reader.getDatabaseUrl();
      expect(url.endsWith(suffix)).toBe(true);
      const name = url.slice('libsql://'.length, -suffix.length);
      fake.seed.database(name);
      const engine = await engineVariables(root, env, fake.env);
      expect(reader.getDatabaseUrl()).toBe(engine.DATABASE_URL);
    } finally {
      await fake.close();
    }
  });
});
