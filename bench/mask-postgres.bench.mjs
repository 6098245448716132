// Masking a large PostgreSQL table with `data = "masked"` (packages/fork-stack/src/providers/database/postgres/data.ts):
// rows per second and peak memory of the masking process at 100,000 and 1,000,000 rows. Memory must be
// flat (keyset pagination, batches of 2,000). Baseline in the same run, on a copy of the same table: one
// server-side UPDATE with md5() on the same four columns, what a hand-written masking script does (no
// determinism under a key, no batching, the fastest it can be).
//
// The server is a fresh one started by test/helpers/postgres-server.ts with durable settings (fsync on).
// Sizes: FORK_STACK_BENCH_SIZES (default "100000,1000000").
//   node --expose-gc bench/mask-postgres.bench.mjs [--record]
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO, machine, table, ratio } from './lib.mjs';
import { load, mib } from './storage-lib.mjs';

const sizes = (process.env.FORK_STACK_BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const require = createRequire(path.join(REPO, 'packages/fork-stack/package.json'));
const { default: pg } = await import(require.resolve('pg'));
const harness = await load('packages/fork-stack/test/helpers/postgres-server.ts');
const { applyDataMode } = await load('packages/fork-stack/src/providers/database/postgres/data.ts');

const binaries = harness.findPostgresBinaries();
if (!binaries) {
  console.error('PostgreSQL server binaries not found (apt-get install postgresql)');
  process.exit(1);
}
const server = await harness.startPostgres({ durable: true, settings: { max_wal_size: '4GB' } });

async function connect(database) {
  const client = new pg.Client({ connectionString: server.url({ database }) });
  await client.connect();
  return client;
}

const rules = ['email', 'name', 'phone', 'ip'].map((column) => ({ table: 'users', column, strategy: { kind: column === 'ip' ? 'hash' : column } }));
const rows = [];
try {
  for (const n of sizes) {
    const db = `mask_${n}`;
    await server.createDatabase(db, {
      statements: [
        'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text, phone text, ip text, created timestamptz DEFAULT now())',
        `INSERT INTO users (email, name, phone, ip) SELECT 'person' || i || '@corp.test', 'Real Name ' || i, '+44 20 7946 ' || i, '10.' || (i % 250) || '.' || (i % 97) || '.' || (i % 13) FROM generate_series(1, ${n}) i`,
        'CREATE TABLE users_copy AS TABLE users',
        'ALTER TABLE users_copy ADD PRIMARY KEY (id)',
        'VACUUM ANALYZE',
      ],
    });
    const client = await connect(db);
    try {
      // Baseline: one server-side statement.
      let start = performance.now();
      await client.query("UPDATE users_copy SET email = md5(email) || '@example.com', name = md5(name), phone = md5(phone), ip = md5(ip)");
      const baseline = (performance.now() - start) / 1000;

      globalThis.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const ctx = { signal: new AbortController().signal, progress() {}, warn() {} };
      start = performance.now();
      await applyDataMode(ctx, client, { mode: 'masked', rules, key: 'bench-key' });
      const seconds = (performance.now() - start) / 1000;
      clearInterval(sampler);
      const [check] = (await client.query("SELECT count(*)::int AS n, count(DISTINCT email)::int AS d, count(*) FILTER (WHERE email LIKE '%corp.test')::int AS left FROM users")).rows;
      if (check.n !== n || check.d !== n || check.left !== 0) throw new Error(`masking check failed: ${JSON.stringify(check)}`);
      rows.push([n.toLocaleString('en'), `${seconds.toFixed(1)} s`, `${Math.round(n / seconds).toLocaleString('en')} rows/s`, `${baseline.toFixed(1)} s`, ratio(seconds, baseline), mib(base), mib(peak), mib(peak - base)]);
      console.error(`${n}: ${seconds.toFixed(1)} s (baseline ${baseline.toFixed(1)} s), peak RSS ${mib(peak)} (+${mib(peak - base)})`);
    } finally {
      await client.end();
    }
    await server.query(`DROP DATABASE ${db}`);
  }
} finally {
  await server.stop();
}

const out = [
  `Masking four columns of one table (email, name, phone, hash; batches of 2,000 rows, one transaction), fresh PostgreSQL ${binaries.major}, fsync on, ${machine()}${globalThis.gc ? '' : ' (run without --expose-gc: baselines include garbage)'}.`,
  'Baseline: one server-side `UPDATE … SET col = md5(col)` of the same columns on a copy of the table, same run. RSS is the masking (Node) process; the server is separate.',
  '',
  table(['rows', 'masking', 'throughput', 'baseline UPDATE', 'vs baseline', 'RSS before', 'peak RSS', 'RSS growth'], rows),
].join('\n');
console.log(out);
if (process.argv.includes('--record')) {
  const file = path.join(REPO, 'bench/results/mask-postgres.md');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `# Masking on PostgreSQL\n\n${out}\n\nReproduce: \`npm run build && node --expose-gc bench/mask-postgres.bench.mjs --record\`.\n`);
}
