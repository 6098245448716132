/**
 * The notes store: a row in SQLite (through @libsql/client, the client that also speaks to Turso) and a
 * file in the bucket per note, in whichever environment the reader resolves. The command line is kept:
 *   node --import tsx src/notes.ts [--json] [add "hello"]
 *
 * Everything comes from the reader (envUtils.ts): DATABASE_URL (a file: URL), BUCKET_NAME (a directory)
 * and the secrets — so `make envs-switch alice` moves it to alice's copies.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { EnvConfig, ForkStackRuntimeError } from '../envUtils.js';

const SCHEMA = 'CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at TEXT NOT NULL)';

export interface Status {
  env: string;
  project: string;
  database_url: string;
  bucket: string;
  notes: { id: number; body: string }[];
  files: string[];
  greeting: string | null;
}

/** Opens the environment's database; a missing file means the environment was never created. */
async function open(config: EnvConfig): Promise<Client> {
  const url = config.getDatabaseUrl();
  if (!url.startsWith('file:')) throw new Error(`this example needs the sqlite provider (a file: DATABASE_URL); got a ${url.split(':')[0]} URL`);
  if (!existsSync(fileURLToPath(url))) {
    const env = config.getCurrentEnv();
    throw new Error(`the database of ${env} (${url}) does not exist. Create the environment first: make envs-new ${env}`);
  }
  const db = createClient({ url });
  await db.execute(SCHEMA);
  return db;
}

function listFiles(dir: string, base = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${base}${e.name}/`) : [`${base}${e.name}`]))
    .sort();
}

export async function status(config: EnvConfig): Promise<Status> {
  const db = await open(config);
  try {
    const rows = await db.execute('SELECT id, body FROM notes ORDER BY id');
    const bucket = config.getBucketName();
    return {
      env: config.getCurrentEnv(),
      project: config.getProjectName(),
      database_url: config.getDatabaseUrl(),
      bucket,
      notes: rows.rows.map((r) => ({ id: Number(r.id), body: String(r.body) })),
      files: listFiles(bucket),
      greeting: config.lookupSecret('GREETING') ?? null,
    };
  } finally {
    db.close();
  }
}

/** One note = one row and one file, both in the current environment. */
export async function addNote(config: EnvConfig, body: string): Promise<{ env: string; id: number; key: string }> {
  const db = await open(config);
  let id: number;
  try {
    const result = await db.execute({ sql: 'INSERT INTO notes (body, created_at) VALUES (?, ?)', args: [body, new Date().toISOString()] });
    id = Number(result.lastInsertRowid);
  } finally {
    db.close();
  }
  const key = config.getS3Key('notes', `${id}.txt`);
  const file = path.join(config.getBucketName(), key);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${body}\n`);
  return { env: config.getCurrentEnv(), id, key };
}

export async function main(argv: string[], config = new EnvConfig()): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  try {
    if (args[0] === 'add') {
      if (!args[1]) throw new Error('usage: app.ts add "<text>"');
      const added = await addNote(config, args[1]);
      console.log(json ? JSON.stringify(added, null, 2) : `note ${added.id} written in ${added.env} (row + ${added.key})`);
      return 0;
    }
    const s = await status(config);
    if (json) console.log(JSON.stringify(s, null, 2));
    else {
      console.log(`environment  ${s.env}\ndatabase     ${s.database_url}\nbucket       ${s.bucket}`);
      console.log(`notes        ${s.notes.length}  ${s.notes.map((n) => n.body).join(', ')}\nfiles        ${s.files.length}  ${s.files.join(', ')}`);
    }
    return 0;
  } catch (error) {
    console.error(`error: ${error instanceof ForkStackRuntimeError || error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

