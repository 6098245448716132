/**
 * Foreign resources under an environment's name on a real Redis server, for the ownership contract
 * (test/helpers/ownership-contract.ts), planted with plain Redis commands (never fork-stack code):
 *
 *  - key prefix isolation (redis/valkey cache, BullMQ): keys under the environment's prefix with no
 *    record ('non-empty'), or a record in fork-stack's registry hash for another project or environment
 *    ('other-project', 'other-env'). 'empty' is not representable: a prefix with neither keys nor a record
 *    is nothing at all (the contract skips that variant);
 *  - database isolation with the environment pinned to a database (`names = { <env> = "<n>" }`): keys in
 *    that database with no record, or a record of that database for another project or environment.
 *    'empty' is again nothing: an empty, unrecorded database is free for the taking.
 *
 * The fingerprint is everything observable: every key's DUMP and absolute expiry (PEXPIRETIME) and the
 * registry record, byte for byte.
 */
import type { Redis } from 'ioredis';
import type { ForeignSetup } from './ownership-contract.js';
import { dumpKeys, seedKeys } from './redis-server.js';

const record = (project: string, env: string) => JSON.stringify({ project, env, parent: 'dev', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'someone@elsewhere', status: 'ready' });

async function clearKeys(client: Redis, prefix: string): Promise<void> {
  const keys = await dumpKeys(client, prefix);
  if (keys.size > 0) await client.del(...[...keys.keys()].map((k) => Buffer.from(k, 'latin1')));
}

/** `keyspace(env)`: where the environment's keys start (the library's separator included). */
export function prefixForeign(client: Redis, registryKey: string, project: string, keyspace: (env: string) => string): ForeignSetup {
  const plantRecord = async (env: string, owner: { project: string; env: string }) => {
    await client.hset(registryKey, keyspace(env), record(owner.project, owner.env));
    await seedKeys(client, keyspace(env));
  };
  return {
    plant: {
      'non-empty': async (env) => seedKeys(client, keyspace(env)),
      // Another project whose prefix pattern leaves out {project} (prefix = "{env}:") lands on the same keys.
      'other-project': async (env) => plantRecord(env, { project: `${project}-d`, env }),
      // This project's environment "someone-else", pinned by names to this prefix.
      'other-env': async (env) => plantRecord(env, { project, env: 'someone-else' }),
    },
    fingerprint: async (env) =>
      JSON.stringify({ keys: [...(await dumpKeys(client, keyspace(env)))].sort(), record: await client.hget(registryKey, keyspace(env)) }),
    clear: async (env) => {
      await clearKeys(client, keyspace(env));
      await client.hdel(registryKey, keyspace(env));
    },
  };
}

/** Database isolation: `db(n)` is a client on database n, `pinned` the database `names` gives the environment. */
export function databaseForeign(db: (n: number) => Promise<Redis>, registryKey: string, project: string, pinned: number): ForeignSetup {
  const plantRecord = async (owner: { project: string; env: string }) => {
    await (await db(0)).hset(registryKey, String(pinned), record(owner.project, owner.env));
    await seedKeys(await db(pinned), '');
  };
  return {
    plant: {
      'non-empty': async () => seedKeys(await db(pinned), ''),
      'other-project': async () => plantRecord({ project: `${project}-d`, env: 'contract-foreign' }),
      'other-env': async () => plantRecord({ project, env: 'someone-else' }),
    },
    fingerprint: async () =>
      JSON.stringify({ keys: [...(await dumpKeys(await db(pinned)))].sort(), record: await (await db(0)).hget(registryKey, String(pinned)) }),
    clear: async () => {
      await (await db(pinned)).flushdb();
      await (await db(0)).hdel(registryKey, String(pinned));
    },
  };
}
