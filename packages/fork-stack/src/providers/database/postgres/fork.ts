/**
 * A fork is `CREATE DATABASE child TEMPLATE parent`, done so that a crash or a concurrent run can never
 * leave a half-made database under the child's name, nor a same-named database of someone else adopted:
 *
 *   1. take an advisory lock on the child's name (two machines forking the same env take turns);
 *   2. an existing database under the child's name is returned when its marker says it is ours, refused
 *      otherwise;
 *   3. build the copy under a staging name (a leftover of a crashed run is dropped first), mark it with
 *      COMMENT ON DATABASE, carry over GRANTs and settings, then rename it to the child's name.
 *
 * CREATE DATABASE … TEMPLATE fails while any other session is connected to the parent. fork-stack lists
 * those sessions and stops, unless the user consented to ending them: `create --terminate-connections`
 * for one run (the request's `options.terminateConnections`), terminate_connections = true in the config,
 * or FORK_STACK_PG_TERMINATE=1 in the user's own environment.
 */
import pg from 'pg';
import { OperationError, UsageError } from '../../../core/errors.js';
import type { DataSpec, ProviderContext, RunOptions } from '../../types.js';
import { applyDataMode } from './data.js';
import { TERMINATE_ENV, type PostgresOptions } from '../postgres.schema.js';
import { copyGrants, copySettings } from './carry-over.js';
import { describeSession, lockName, lookupDatabase, sessionsOn, terminateSessions, type DatabaseRow, type Session } from './catalog.js';
import { cancellable, connect, type AdminSession } from './connection.js';
import { dropDatabase } from './drop.js';
import { formatMarker, isOurs, ownerText } from './marker.js';
import { lockKeys, stagingName } from './naming.js';

type Ctx = ProviderContext<PostgresOptions>;

/** How many times a consented fork ends the parent's sessions and tries again (pools reconnect at once). */
const TERMINATE_ROUNDS = 3;

/** The user's consent to end sessions on the parent: this run's option, the config, or their own environment. */
export function terminateConsent(ctx: Ctx, run?: RunOptions): boolean {
  const flag = ctx.env[TERMINATE_ENV]?.trim().toLowerCase();
  return run?.terminateConnections === true || ctx.options.terminate_connections || flag === '1' || flag === 'true' || flag === 'yes';
}

export function notOursError(ctx: Ctx, env: string, row: DatabaseRow): OperationError {
  return new OperationError(
    `${ctx.slot} (postgres): database "${row.name}" for environment "${env}" already exists and was not created by fork-stack for project "${ctx.project}", environment "${env}": it ${ownerText(row.comment, ctx.project, env)}; it was left untouched`,
    {
      hint: `If it is yours to replace, drop it yourself (DROP DATABASE ${pg.escapeIdentifier(row.name)}), or give "${env}" another name with names = { ${env} = "…" } or the name pattern in [${ctx.slot}].`,
    },
  );
}

/**
 * The sessions and the way forward are part of the message itself, one per line, so they reach the
 * user whichever layer prints the error (the engine's create summary keeps only messages).
 */
function openConnectionsError(ctx: Ctx, request: { env: string; parent: string }, parentName: string, sessions: Session[]): OperationError {
  const n = sessions.length;
  const lines = [
    `${ctx.slot} (postgres): cannot fork "${request.parent}" into "${request.env}": the parent database "${parentName}" has ${n} open connection${n === 1 ? '' : 's'}, and PostgreSQL copies a database only while nobody else is connected to it:`,
    ...sessions.map((s) => `  ${describeSession(s, ctx.now())}`),
    `Close ${n === 1 ? 'it' : 'them'} (stop the app, worker or psql session using "${request.parent}") and run the command again, or let fork-stack end ${n === 1 ? 'it' : 'them'}: ` +
      `fork-stack create ${request.env} --from ${request.parent} --terminate-connections (or ${TERMINATE_ENV}=1, or terminate_connections = true in [${ctx.slot}]).`,
  ];
  return new OperationError(lines.join('\n'));
}

function strategyClause(ctx: Ctx, major: number): string {
  const { strategy } = ctx.options;
  if (strategy === 'auto') return major >= 15 ? ' STRATEGY = FILE_COPY' : '';
  if (major < 15) {
    throw new UsageError(`${ctx.slot} (postgres): strategy = "${strategy}" needs PostgreSQL 15 or later; this server is ${major}`, {
      hint: `Set strategy = "auto" in [${ctx.slot}].`,
    });
  }
  return ` STRATEGY = ${strategy === 'file_copy' ? 'FILE_COPY' : 'WAL_LOG'}`;
}

/** OWNER clause: the parent's owner by default, so the app keeps owning its schema (PG 15: public is pg_database_owner's). */
export function ownerFor(ctx: Ctx, session: AdminSession, parentOwner: string | undefined): string {
  const { owner } = ctx.options;
  if (owner === 'admin') return session.server.user;
  if (owner === 'parent') return parentOwner ?? ctx.options.role ?? session.server.user;
  return owner;
}

function explainCreateError(ctx: Ctx, session: AdminSession, error: unknown, request: { env: string; parent: string }, owner: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === '42501') {
    const message = (error as Error).message;
    if (!session.server.createdb && !session.server.superuser) {
      return new OperationError(`${ctx.slot} (postgres): role "${session.server.user}" may not create databases (${message})`, {
        hint: `As a superuser run: ALTER ROLE ${pg.escapeIdentifier(session.server.user)} CREATEDB; or use another admin role in ${ctx.options.url_env}.`,
        cause: error,
      });
    }
    return new OperationError(`${ctx.slot} (postgres): cannot fork "${request.parent}" into "${request.env}" owned by "${owner}": ${message}`, {
      hint: `Make the admin role a member of "${owner}" (GRANT ${pg.escapeIdentifier(owner)} TO ${pg.escapeIdentifier(session.server.user)}), or set owner = "admin" in [${ctx.slot}].`,
      cause: error,
    });
  }
  if (code === '57014' && ctx.signal.aborted) return ctx.signal.reason ?? error;
  return error;
}

export interface ForkPlan {
  env: string;
  parent: string;
  runId?: string;
  expiresAt?: Date;
  /** This run's choices (`--terminate-connections`). */
  run?: RunOptions;
  childName: string;
  parentName: string;
  /** schema-only / masked (postgres/data.ts). */
  data?: DataSpec;
}

export interface ForkOutcome {
  row: DatabaseRow;
  /** Sessions on the parent this fork ended (with the user's consent), for the user to see. */
  ended: Session[];
}

/** "pid 4242 (application "billing-worker", user app, client 10.0.0.7:51234)": what was ended, kept short for --json. */
export function endedSession(s: Session): string {
  return `pid ${s.pid} (application ${s.application ? JSON.stringify(s.application) : '(none)'}, user ${s.user ?? '(hidden)'}, client ${s.client ?? 'local socket'})`;
}

/** Returns the child's catalog row once it exists under its final name, marked as ours. */
export async function forkDatabase(ctx: Ctx, session: AdminSession, plan: ForkPlan): Promise<ForkOutcome> {
  const { client } = session;
  const { env, childName, parentName } = plan;
  const existing = await lookupDatabase(client, childName);
  if (existing && !isOurs(existing.comment, ctx.project, env)) throw notOursError(ctx, env, existing);
  if (existing && !existing.invalid) return { row: existing, ended: [] };

  const lock = await lockName(client, lockKeys(childName), {
    signal: ctx.signal,
    onWait: () => ctx.progress({ message: `waiting for another fork-stack run working on ${childName}` }),
  });
  try {
    // Under the lock: another run may have finished (or half-dropped) it meanwhile.
    const now = await lookupDatabase(client, childName);
    if (now && !isOurs(now.comment, ctx.project, env)) throw notOursError(ctx, env, now);
    if (now && !now.invalid) return { row: now, ended: [] };
    if (now) await dropDatabase(ctx, session, childName);

    const parentRow = await lookupDatabase(client, parentName);
    if (!parentRow || parentRow.invalid) {
      throw new OperationError(`${ctx.slot} (postgres): parent database "${parentName}" of environment "${plan.parent}" does not exist${parentRow ? ' (it is invalid: an interrupted DROP DATABASE)' : ''} on ${session.where}`, {
        hint: `Run "fork-stack list" to see the environments, or name the existing database with names = { ${plan.parent} = "…" } in [${ctx.slot}].`,
      });
    }
    const staging = stagingName(childName, ctx.project, env);
    await dropDatabase(ctx, session, staging);
    let ended: Session[];
    try {
      ended = await createFromTemplate(ctx, session, plan, staging, parentRow);
      // Before the marker and the rename: an unmasked copy is never findable under the environment's name.
      if (plan.data && plan.data.mode !== 'full') await applyData(ctx, session, staging, plan.data);
      const marker = formatMarker({ project: ctx.project, env, parent: plan.parent, createdAt: ctx.now().toISOString(), ...(plan.runId ? { run: plan.runId } : {}), ...(plan.expiresAt ? { expiresAt: plan.expiresAt.toISOString() } : {}) });
      await client.query(`COMMENT ON DATABASE ${pg.escapeIdentifier(staging)} IS ${pg.escapeLiteral(marker)}`);
      await copyGrants(client, parentName, staging);
      const settings = await copySettings(client, parentRow.oid, staging);
      for (const skipped of settings.skipped) ctx.warn(`setting of "${parentName}" not copied to "${childName}": ${skipped}`);
      await client.query(`ALTER DATABASE ${pg.escapeIdentifier(staging)} RENAME TO ${pg.escapeIdentifier(childName)}`);
    } catch (error) {
      await dropStaging(ctx, session, staging);
      throw error;
    }
    const made = await lookupDatabase(client, childName);
    if (!made) throw new OperationError(`${ctx.slot} (postgres): database "${childName}" vanished right after it was created`);
    return { row: made, ended };
  } finally {
    await lock.release();
  }
}

/** Runs the data mode in its own session on the staging copy, closed before the rename (which needs it unused). */
async function applyData(ctx: Ctx, session: AdminSession, staging: string, data: DataSpec): Promise<void> {
  const client = await connect(ctx, session.url, staging);
  try {
    await applyDataMode(ctx, client, data);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Remove the staging copy after a failure. A cancel sent on abort can reach the server after the copy
 * it aimed at had finished, and then cancels the next statement instead: so one cancelled drop is retried.
 */
async function dropStaging(ctx: Ctx, session: AdminSession, staging: string): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await dropDatabase(ctx, session, staging);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '57014') return;
    }
  }
}

/** Returns the sessions it ended on the parent (only with consent). */
async function createFromTemplate(ctx: Ctx, session: AdminSession, plan: ForkPlan, staging: string, parentRow: DatabaseRow): Promise<Session[]> {
  const { client, server } = session;
  const owner = ownerFor(ctx, session, parentRow.owner);
  const ownerClause = owner === server.user ? '' : ` OWNER = ${pg.escapeIdentifier(owner)}`;
  const sql = `CREATE DATABASE ${pg.escapeIdentifier(staging)} TEMPLATE = ${pg.escapeIdentifier(plan.parentName)}${ownerClause}${strategyClause(ctx, server.major)}`;
  const consent = terminateConsent(ctx, plan.run);
  const ended: Session[] = [];
  for (let round = 1; ; round++) {
    const sessions = await sessionsOn(client, plan.parentName);
    if (sessions.length > 0) {
      if (!consent) throw openConnectionsError(ctx, plan, plan.parentName, sessions);
      ctx.progress({ message: `ending ${sessions.length} session(s) on ${plan.parentName}` });
      const refused = await terminateSessions(client, sessions.map((s) => s.pid));
      if (refused.length > 0) {
        const lines = sessions.filter((s) => refused.includes(s.pid)).map((s) => `  ${describeSession(s, ctx.now())}`);
        throw new OperationError(`${ctx.slot} (postgres): role "${server.user}" may not end ${refused.length} session(s) on "${plan.parentName}":\n${lines.join('\n')}`, {
          hint: `Grant it the right (GRANT pg_signal_backend TO ${pg.escapeIdentifier(server.user)}), or close those sessions yourself.`,
        });
      }
      // Never silently: each ended session is reported (warning now, and in the resource's details).
      for (const s of sessions) ctx.warn(`ended session ${endedSession(s)} on "${plan.parentName}" (--terminate-connections)`);
      ended.push(...sessions);
    }
    ctx.progress({ message: `copying ${plan.parentName}` });
    try {
      await cancellable(ctx, session, () => client.query(sql));
      // Aborted while the copy finished anyway (the cancel came too late): do not go on to publish it.
      if (ctx.signal.aborted) throw ctx.signal.reason;
      return ended;
    } catch (error) {
      // 55006: someone connected between our look and the copy (PostgreSQL waits 5 s for them first).
      if ((error as { code?: string }).code !== '55006') throw explainCreateError(ctx, session, error, plan, owner);
      const late = await sessionsOn(client, plan.parentName);
      if (round >= TERMINATE_ROUNDS || (late.length > 0 && !consent)) {
        throw openConnectionsError(ctx, plan, plan.parentName, late);
      }
    }
  }
}
