/**
 * SQLite / libSQL files, one per environment — the local stack's database. DATABASE_URL is a `file:` URL
 * that `@libsql/client` opens, the same client apps use for Turso.
 *
 * A fork is a consistent snapshot even while another process writes to the parent. A read transaction
 * is held on the parent while its main file and WAL are copied:
 *  - rollback-journal mode: the shared lock lets no writer commit until the copy is done (writers wait
 *    on their busy timeout; a read lock is granted between two commits, so a busy writer cannot starve
 *    us the way it starves BEGIN IMMEDIATE);
 *  - WAL mode: writers go on appending to the WAL, but no checkpoint may copy frames past our read mark
 *    into the main file and the WAL cannot restart, so main file + copied WAL replay to a committed state
 *    (frames after the last valid commit record are discarded by WAL recovery).
 * The copy is then opened on its own and checkpointed into one self-contained file before an atomic
 * rename gives it its final name.
 * Copies use copy-on-write clones where the filesystem has them (btrfs, XFS, APFS), a kernel-side copy
 * elsewhere. The parent's data is only read.
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OperationError } from '../../core/errors.js';
import type { Check, DataSpec, Description, Provider, ProviderContext, Resource } from '../types.js';
import { applyDataMode } from './sqlite-data.js';
import {
  absolutePath,
  checkLocalName,
  checkWritableDir,
  listLocal,
  markOwned,
  notOurs,
  ownPartial,
  removeLeftovers,
  relativePath,
  statResource,
  unmarkOwned,
  type LocalPathOptions,
} from '../local/paths.js';
import type { SqliteOptions } from './sqlite.schema.js';

type Ctx = ProviderContext<SqliteOptions>;

const SIDE_FILES = ['-wal', '-shm', '-journal'];

function pathOptions(ctx: Ctx): LocalPathOptions {
  return { pattern: ctx.options.path, overrides: ctx.options.names };
}

export function fileUrl(file: string): string {
  // libSQL takes `file:` + path; a URL-encoded path keeps spaces and unicode intact.
  return `file:${pathToFileURL(file).pathname}`;
}

async function openClient(file: string) {
  const { createClient } = await import('@libsql/client');
  return createClient({ url: fileUrl(file) });
}

async function removeDbFiles(file: string): Promise<void> {
  await Promise.all(['', ...SIDE_FILES].map((suffix) => fs.rm(file + suffix, { force: true })));
}

/**
 * Gives the finished copy its final name without ever replacing a database already there: a hard link
 * fails with EEXIST when another fork published first, and then that one is the environment's database.
 * Filesystems without hard links fall back to rename (replacing, as before).
 */
async function publish(tmp: string, childFile: string): Promise<'published' | 'existed'> {
  try {
    await fs.link(tmp, childFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      await fs.rm(tmp, { force: true });
      return 'existed';
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    await fs.rename(tmp, childFile);
    return 'published';
  }
  await fs.rm(tmp, { force: true });
  return 'published';
}

async function cloneFile(from: string, to: string): Promise<boolean> {
  try {
    await fs.copyFile(from, to, fsConstants.COPYFILE_FICLONE);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function snapshot(ctx: Ctx, parentFile: string, childFile: string, tmp: string, data?: DataSpec): Promise<void> {
  await fs.mkdir(path.dirname(childFile), { recursive: true });
  const parent = await openClient(parentFile);
  try {
    await parent.execute(`PRAGMA busy_timeout = ${ctx.options.busy_timeout_ms}`);
    let tx;
    try {
      tx = await parent.transaction('deferred');
      // The first read takes the shared lock (rollback mode) or pins the WAL snapshot (WAL mode).
      await tx.execute('SELECT count(*) FROM sqlite_master');
    } catch (error) {
      throw new OperationError(`the parent database ${parentFile} stayed locked by a writer for ${ctx.options.busy_timeout_ms} ms`, {
        hint: 'Stop the process writing to it, or raise busy_timeout_ms in [database].',
        cause: error,
      });
    }
    try {
      ctx.progress({ message: 'copying database file' });
      await cloneFile(parentFile, tmp);
      await cloneFile(`${parentFile}-wal`, `${tmp}-wal`);
    } finally {
      await tx.rollback().catch(() => undefined);
      tx.close();
    }
  } finally {
    parent.close();
  }
  // Fold the copied WAL into the copy so the final file stands alone, then publish it atomically.
  const copy = await openClient(tmp);
  try {
    // schema-only / masked: applied to the unpublished copy, so the environment's name never shows unmasked rows.
    if (data) await applyDataMode(ctx, copy, data);
    await copy.execute('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    copy.close();
  }
  await fs.rm(`${tmp}-shm`, { force: true });
  await fs.rm(`${tmp}-wal`, { force: true });
  await publish(tmp, childFile);
}

export const provider = {
  kind: 'database',
  name: 'sqlite',
  capabilities: { createEmpty: true, dataModes: ['full', 'schema-only', 'masked'] },
  publicVariables: ['DATABASE_URL'],

  resourceName: (ctx, env) => relativePath(ctx, pathOptions(ctx), env),
  checkName: (ctx, env) => checkLocalName(ctx, pathOptions(ctx), env),

  find: (ctx, env) => statResource(ctx, pathOptions(ctx), env),

  async fork(ctx, { env, parent, data }) {
    const existing = await statResource(ctx, pathOptions(ctx), env);
    if (existing && !existing.owned) throw notOurs(ctx, pathOptions(ctx), env, 'fork over');
    if (existing) return existing;
    const parentFile = absolutePath(ctx, pathOptions(ctx), parent);
    try {
      await fs.access(parentFile);
    } catch {
      throw new OperationError(`parent database ${relativePath(ctx, pathOptions(ctx), parent)} does not exist`);
    }
    const childFile = absolutePath(ctx, pathOptions(ctx), env);
    // Ctrl-C stops at the next step: before the copy, and after it (the copy itself is one snapshot).
    ctx.signal.throwIfAborted();
    await markOwned(ctx, pathOptions(ctx), env);
    const tmp = ownPartial(childFile);
    try {
      await snapshot(ctx, parentFile, childFile, tmp, data);
    } catch (error) {
      await removeDbFiles(tmp);
      throw error;
    }
    ctx.signal.throwIfAborted();
    return (await statResource(ctx, pathOptions(ctx), env)) as Resource;
  },

  async createEmpty(ctx, env) {
    const file = absolutePath(ctx, pathOptions(ctx), env);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const client = await openClient(file);
    try {
      // Writes the database header, so the file is a real (empty) database rather than zero bytes.
      await client.execute('CREATE TABLE IF NOT EXISTS _fork_stack_init (x)');
      await client.execute('DROP TABLE _fork_stack_init');
    } finally {
      client.close();
    }
    return (await statResource(ctx, pathOptions(ctx), env)) as Resource;
  },

  async remove(ctx, { env }) {
    const existing = await statResource(ctx, pathOptions(ctx), env);
    if (existing && !existing.owned) throw notOurs(ctx, pathOptions(ctx), env, 'delete');
    const file = absolutePath(ctx, pathOptions(ctx), env);
    await removeDbFiles(file);
    await removeLeftovers(file);
    await unmarkOwned(ctx, env);
  },

  list: (ctx) => listLocal(ctx, pathOptions(ctx)),

  async describe(ctx, env) {
    const client = await openClient(absolutePath(ctx, pathOptions(ctx), env));
    try {
      const tables: NonNullable<Description['schema']>['tables'] = {};
      const objects = await client.execute("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name");
      for (const row of objects.rows) {
        if (row.type === 'table') {
          const columns = await client.execute({ sql: 'SELECT name, type FROM pragma_table_info(?)', args: [row.name as string] });
          tables[row.name as string] = { columns: Object.fromEntries(columns.rows.map((c) => [c.name as string, (c.type as string) || 'ANY'])), indexes: [] };
        }
      }
      for (const row of objects.rows) if (row.type === 'index') tables[row.tbl_name as string]?.indexes.push(row.name as string);
      return { schema: { tables } };
    } finally {
      client.close();
    }
  },

  async variables(ctx, env) {
    return { DATABASE_URL: fileUrl(absolutePath(ctx, pathOptions(ctx), env)) };
  },

  async check(ctx): Promise<Check[]> {
    const dir = path.dirname(absolutePath(ctx, pathOptions(ctx), 'x'));
    const writable = await checkWritableDir(dir);
    const checks: Check[] = [
      { name: 'data directory', status: writable.ok ? 'ok' : 'fail', message: writable.message, fix: writable.ok ? undefined : 'Fix the permissions or change path in [database].' },
    ];
    try {
      const { createClient } = await import('@libsql/client');
      const client = createClient({ url: ':memory:' });
      await client.execute('SELECT 1');
      client.close();
      checks.push({ name: 'libSQL engine', status: 'ok', message: 'the libSQL client opens databases' });
    } catch (error) {
      checks.push({
        name: 'libSQL engine',
        status: 'fail',
        message: `the libSQL client cannot start: ${(error as Error).message}`,
        fix: 'Reinstall dependencies (npm ci); libSQL ships a native binary per platform.',
      });
    }
    return checks;
  },
} satisfies Provider<SqliteOptions>;
