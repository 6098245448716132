/**
 * `fork-stack diff` for hosted PostgreSQL (Neon, Supabase branches): the schema read over the
 * environment's own DATABASE_URL with the same catalog queries as the postgres provider. Loaded only by
 * `diff`, so the pg driver stays out of every other command of these providers.
 */
import pg from 'pg';
import { OperationError } from '../../core/errors.js';
import { scrub } from '../../core/scrub.js';
import type { Description } from '../types.js';
import { readSchema } from './postgres/describe.js';

/** A suspended compute (Neon scale-to-zero, a paused branch) takes a few seconds to answer. */
const CONNECT_TIMEOUT_MS = 20_000;

export async function describePostgresUrl(provider: string, env: string, url: string | undefined): Promise<Description> {
  if (!url) throw new OperationError(`${provider}: "${env}" has no DATABASE_URL to read its schema from`);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    return await readSchema(client);
  } catch (error) {
    throw new OperationError(`${provider}: reading the schema of "${env}" failed: ${scrub((error as Error).message)}`, {
      hint: 'diff connects to the database itself with the environment\'s DATABASE_URL: check that this machine can reach it ("fork-stack doctor") and that the role may read information_schema.',
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
