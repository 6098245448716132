/**
 * DROP DATABASE, forcing other sessions off: `WITH (FORCE)` on PostgreSQL 13+, and on older servers the
 * same thing by hand (end the sessions, drop, again if a client reconnected in between). Idempotent.
 */
import pg from 'pg';
import { OperationError } from '../../../core/errors.js';
import { sleep } from '../../../core/retry.js';
import type { ProviderContext } from '../../types.js';
import type { PostgresOptions } from '../postgres.schema.js';
import { describeSession, sessionsOn, terminateSessions } from './catalog.js';
import type { AdminSession } from './connection.js';

type Ctx = ProviderContext<PostgresOptions>;

const OLD_SERVER_ROUNDS = 5;

function explainDropError(ctx: Ctx, session: AdminSession, name: string, error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === '42501') {
    return new OperationError(`${ctx.slot} (postgres): role "${session.server.user}" may not drop database "${name}": ${(error as Error).message}`, {
      hint: `Drop it as its owner or a superuser; ending other users' sessions needs pg_signal_backend (GRANT pg_signal_backend TO ${pg.escapeIdentifier(session.server.user)}).`,
      cause: error,
    });
  }
  return error;
}

export async function dropDatabase(ctx: Ctx, session: AdminSession, name: string): Promise<void> {
  const { client, server } = session;
  const db = pg.escapeIdentifier(name);
  if (server.major >= 13) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      return;
    } catch (error) {
      throw explainDropError(ctx, session, name, error);
    }
  }
  for (let round = 1; ; round++) {
    const sessions = await sessionsOn(client, name);
    await terminateSessions(client, sessions.map((s) => s.pid));
    try {
      await client.query(`DROP DATABASE IF EXISTS ${db}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006') throw explainDropError(ctx, session, name, error);
      if (round >= OLD_SERVER_ROUNDS) {
        const left = await sessionsOn(client, name);
        throw new OperationError(`${ctx.slot} (postgres): database "${name}" keeps getting new connections; it was not dropped`, {
          details: left.map((s) => describeSession(s, ctx.now())),
          hint: 'Stop the clients that reconnect to it and run the command again.',
        });
      }
      await sleep(200 * round, ctx.signal);
    }
  }
}
