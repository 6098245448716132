// PostgreSQL fork of a ~1 GiB database with `fork-stack create` (CREATE DATABASE … TEMPLATE, STRATEGY
// FILE_COPY on 15+) against what a user does without fork-stack: `pg_dump -Fc | pg_restore` and
// `pg_dump | psql` into a new database. Same server, same run, interleaved rounds, medians. Also the raw
// CREATE DATABASE statements alone, with STRATEGY FILE_COPY (what fork-stack uses) and WAL_LOG (the server's
// default on 15+).
//
// The server is a fresh one started by test/helpers/postgres-server.ts with durable settings (fsync on),
// or FORK_STACK_BENCH_PG_URL (an admin URL; pg_dump, pg_restore and psql from PATH).
// Sizes: FORK_STACK_BENCH_PG_MB (default 1024), FORK_STACK_BENCH_ROUNDS (default 5).
//   node bench/postgres-fork.bench.mjs [--record]      (npm run build first)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { REPO, machine, median, runCli, table, ms, ratio } from './lib.mjs';

const targetMb = Number(process.env.FORK_STACK_BENCH_PG_MB ?? 1024);
const rounds = Number(process.env.FORK_STACK_BENCH_ROUNDS ?? 5);
const require = createRequire(path.join(REPO, 'packages/fork-stack/package.json'));
const { default: pg } = await import(require.resolve('pg'));

let server;
let adminUrl = process.env.FORK_STACK_BENCH_PG_URL;
let bin = (name) => name;
let serverNote = 'server given by FORK_STACK_BENCH_PG_URL';
if (!adminUrl) {
  const { tsImport } = await import('tsx/esm/api');
  const harness = await tsImport(path.join(REPO, 'packages/fork-stack/test/helpers/postgres-server.ts'), import.meta.url);
  const binaries = harness.findPostgresBinaries();
  if (!binaries) {
    console.error('PostgreSQL server binaries not found (apt-get install postgresql, or set FORK_STACK_BENCH_PG_URL)');
    process.exit(1);
  }
  server = await harness.startPostgres({ durable: true, settings: { max_wal_size: '4GB' } });
  adminUrl = server.adminUrl;
  bin = (name) => path.join(binaries.binDir, name);
  serverNote = `fresh PostgreSQL ${binaries.major} (Debian binaries), fsync on, shared_buffers 128 MB, max_wal_size 4 GB, data in ${os.tmpdir()}`;
}
const urlOf = (database) => {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
};

async function sql(text, database = 'postgres') {
  const client = new pg.Client({ connectionString: urlOf(database) });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** `a | b` without a shell; resolves when both exit 0. */
function pipeline(a, b) {
  return new Promise((resolve, reject) => {
    const first = spawn(a[0], a.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const second = spawn(b[0], b.slice(1), { stdio: [first.stdout, 'ignore', 'pipe'] });
    let errors = '';
    first.stderr.on('data', (d) => (errors += d));
    second.stderr.on('data', (d) => (errors += d));
    let pending = 2;
    const done = (name) => (code) => {
      if (code !== 0) reject(new Error(`${name} exited with ${code}: ${errors}`));
      else if (--pending === 0) resolve();
    };
    first.on('exit', done(path.basename(a[0])));
    second.on('exit', done(path.basename(b[0])));
  });
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

// A project whose dev database is the source.
const work = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-pg-bench-'));
const project = path.join(work, 'bench');
mkdirSync(project);
writeFileSync(
  path.join(project, 'fork-stack.toml'),
  'project = "bench"\ndefault_parent = "dev"\nroots = ["dev"]\nprotected = ["dev"]\n\n[database]\nprovider = "postgres"\n',
);
const cliEnv = { DATABASE_ADMIN_URL: adminUrl };

console.error(`generating a ~${targetMb} MiB database…`);
await sql('DROP DATABASE IF EXISTS bench_dev');
await sql('CREATE DATABASE bench_dev');
await sql(`CREATE TABLE orders (
  id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL, total numeric(12,2) NOT NULL,
  note text, created_at timestamptz NOT NULL)`, 'bench_dev');
await sql('CREATE INDEX orders_customer ON orders (customer_id)', 'bench_dev');
const CHUNK = 500_000;
let rows = 0;
for (;;) {
  await sql(
    `INSERT INTO orders SELECT g, ((g::int8 * 7919) % 100000)::int, (ARRAY['new','paid','shipped','done'])[1 + g % 4], (g % 100000) / 100.0,
       md5(g::text) || md5((g + 1)::text) || md5((g + 2)::text), now() - make_interval(secs => g)
     FROM generate_series(${rows + 1}, ${rows + CHUNK}) g`,
    'bench_dev',
  );
  rows += CHUNK;
  const [{ size }] = await sql("SELECT pg_database_size('bench_dev')::int8 AS size");
  if (Number(size) >= targetMb * 2 ** 20) break;
}
await sql('VACUUM ANALYZE orders', 'bench_dev');
await sql('CHECKPOINT');
const [{ size: bytes }] = await sql("SELECT pg_database_size('bench_dev')::int8 AS size");
const sizeMb = Number(bytes) / 2 ** 20;
console.error(`source: ${rows.toLocaleString('en')} rows, ${sizeMb.toFixed(0)} MiB`);

async function countIn(database) {
  const [{ n }] = await sql('SELECT count(*)::int8 AS n FROM orders', database);
  if (Number(n) !== rows) throw new Error(`${database} has ${n} rows, expected ${rows}`);
}

/** Flush what the previous measurement left dirty (server buffers, then the kernel's), so it is not billed to the next. */
async function settle() {
  await sql('CHECKPOINT');
  execFileSync('sync');
}

const measurements = {
  fork: async (i) => {
    const t = await timed(() => runCli(['create', `copy-${i}`], project, cliEnv));
    await countIn(`bench_copy_${i}`);
    runCli(['delete', `copy-${i}`, '--yes'], project, cliEnv);
    return t;
  },
  fileCopy: async (i) => {
    const t = await timed(() => sql(`CREATE DATABASE bench_fc_${i} TEMPLATE bench_dev STRATEGY FILE_COPY`));
    await countIn(`bench_fc_${i}`);
    await sql(`DROP DATABASE bench_fc_${i}`);
    return t;
  },
  walLog: async (i) => {
    const t = await timed(() => sql(`CREATE DATABASE bench_wal_${i} TEMPLATE bench_dev STRATEGY WAL_LOG`));
    await countIn(`bench_wal_${i}`);
    await sql(`DROP DATABASE bench_wal_${i}`);
    return t;
  },
  dumpRestore: async (i) => {
    const t = await timed(async () => {
      await sql(`CREATE DATABASE bench_restore_${i}`);
      await pipeline([bin('pg_dump'), '-Fc', `--dbname=${urlOf('bench_dev')}`], [bin('pg_restore'), '--no-owner', `--dbname=${urlOf(`bench_restore_${i}`)}`]);
    });
    await countIn(`bench_restore_${i}`);
    await sql(`DROP DATABASE bench_restore_${i}`);
    return t;
  },
  dumpPsql: async (i) => {
    const t = await timed(async () => {
      await sql(`CREATE DATABASE bench_psql_${i}`);
      await pipeline([bin('pg_dump'), `--dbname=${urlOf('bench_dev')}`], [bin('psql'), '-q', '-v', 'ON_ERROR_STOP=1', `--dbname=${urlOf(`bench_psql_${i}`)}`]);
    });
    await countIn(`bench_psql_${i}`);
    await sql(`DROP DATABASE bench_psql_${i}`);
    return t;
  },
};
const names = Object.keys(measurements);
const results = Object.fromEntries(names.map((n) => [n, []]));
for (let i = 0; i < rounds; i++) {
  // Each round starts with a different measurement, so none always follows the same neighbour.
  const order = names.map((_, k) => names[(k + i) % names.length]);
  for (const name of order) {
    await settle();
    results[name].push(await measurements[name](i));
  }
  console.error(`round ${i + 1}/${rounds}: ${names.map((n) => `${n} ${ms(results[n][i])}`).join(', ')}`);
}
await server?.stop();
rmSync(work, { recursive: true, force: true });

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const out = [
  table(
    ['measurement', 'median', 'vs pg_dump -Fc \\| pg_restore'],
    [
      [`pg_dump -Fc \\| pg_restore into a new database — baseline`, ms(m.dumpRestore), '1.00×'],
      ['pg_dump \\| psql into a new database', ms(m.dumpPsql), ratio(m.dumpPsql, m.dumpRestore)],
      ['fork-stack create (CLI process; CREATE DATABASE … TEMPLATE, STRATEGY FILE_COPY)', ms(m.fork), ratio(m.fork, m.dumpRestore)],
      ['raw CREATE DATABASE … TEMPLATE, STRATEGY FILE_COPY (the SQL alone)', ms(m.fileCopy), ratio(m.fileCopy, m.dumpRestore)],
      ['raw CREATE DATABASE … TEMPLATE, STRATEGY WAL_LOG (server default on 15+)', ms(m.walLog), ratio(m.walLog, m.dumpRestore)],
    ],
  ),
  '',
  `**fork-stack create is ${(m.dumpRestore / m.fork).toFixed(1)}× faster than pg_dump | pg_restore** ` +
    `(${(m.dumpPsql / m.fork).toFixed(1)}× faster than pg_dump | psql).`,
  '',
  `Source: one table of ${rows.toLocaleString('en')} rows with a primary key and one secondary index, ${sizeMb.toFixed(0)} MiB ` +
    `(pg_database_size). ${rounds} interleaved rounds, order rotated each round, each copy verified by row count, CHECKPOINT and sync before each measurement; ` +
    `${serverNote}; ${machine()}.`,
].join('\n');
console.log(out);
if (process.argv.includes('--record')) {
  mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(
    path.join(REPO, 'bench/results/postgres-fork.md'),
    `# PostgreSQL fork vs dump and restore\n\n${out}\n\nReproduce: \`npm run build && node bench/postgres-fork.bench.mjs --record\` ` +
      '(needs the PostgreSQL server binaries: `apt-get install postgresql`; smaller: `FORK_STACK_BENCH_PG_MB=100`).\n',
  );
}
