/** The shared provider contract, run against the three local providers with real files. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { provider as sqlite } from '../../src/providers/database/sqlite.js';
import { schema as sqliteSchema } from '../../src/providers/database/sqlite.schema.js';
import { provider as fsStorage } from '../../src/providers/storage/fs.js';
import { schema as fsSchema } from '../../src/providers/storage/fs.schema.js';
import { provider as dotenv } from '../../src/providers/secrets/dotenv.js';
import { schema as dotenvSchema } from '../../src/providers/secrets/dotenv.schema.js';
import type { Provider } from '../../src/providers/types.js';
import { testContext } from '../helpers/context.js';
import { providerContract } from '../helpers/provider-contract.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'fs-contract-'));

providerContract('sqlite', sqlite as Provider<unknown>, async () => {
  const root = tmp();
  const ctx = testContext({ kind: 'database', root, schema: sqliteSchema });
  await sqlite.createEmpty(ctx as never, 'dev');
  const url = async (env: string) => (await sqlite.variables(ctx as never, env)).DATABASE_URL as string;
  const client = createClient({ url: await url('dev') });
  await client.batch(['CREATE TABLE t (x)', "INSERT INTO t VALUES ('a'), ('b')"]);
  client.close();
  return {
    ctx,
    parent: 'dev',
    fingerprint: async (env) => {
      const c = createClient({ url: await url(env) });
      try {
        return JSON.stringify((await c.execute('SELECT x FROM t ORDER BY x')).rows);
      } finally {
        c.close();
      }
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});

providerContract('fs', fsStorage as Provider<unknown>, async () => {
  const root = tmp();
  const ctx = testContext({ kind: 'storage', root, schema: fsSchema, bucket: { name: 'uploads', isDefault: true } });
  await fsStorage.createEmpty(ctx as never, 'dev');
  const dir = async (env: string) => (await fsStorage.variables(ctx as never, env)).BUCKET_NAME as string;
  writeFileSync(path.join(await dir('dev'), 'a.txt'), 'hello');
  return {
    ctx,
    parent: 'dev',
    fingerprint: async (env) => {
      const d = await dir(env);
      return readdirSync(d)
        .sort()
        .map((f) => `${f}:${createHash('sha1').update(readFileSync(path.join(d, f))).digest('hex')}`)
        .join();
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});

providerContract('dotenv', dotenv as Provider<unknown>, async () => {
  const root = tmp();
  const ctx = testContext({ kind: 'secrets', root, schema: dotenvSchema });
  await dotenv.createEmpty(ctx as never, 'dev');
  await dotenv.write(ctx as never, 'dev', { set: { A: '1', B: 'two words' } });
  return {
    ctx,
    parent: 'dev',
    fingerprint: async (env) => JSON.stringify(await dotenv.read(ctx as never, env)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
