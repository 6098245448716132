// Local fork of a 1 GiB SQLite database plus 10,000 files of storage, against a plain `cp -r` of the same
// bytes on the same disk (what you would do by hand), and create with three resources against the
// slowest one alone (proof the resources are forked in parallel). Interleaved runs, medians.
// Sizes: FORK_STACK_BENCH_DB_MB (default 1024), FORK_STACK_BENCH_FILES (default 10000).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO, machine, median, runCli, scratch, table, ms, ratio } from './lib.mjs';

const dbMb = Number(process.env.FORK_STACK_BENCH_DB_MB ?? 1024);
const files = Number(process.env.FORK_STACK_BENCH_FILES ?? 10_000);
const rounds = Number(process.env.FORK_STACK_BENCH_ROUNDS ?? 3);
const require = createRequire(path.join(REPO, 'packages/fork-stack/package.json'));
const { createClient } = await import(require.resolve('@libsql/client'));

const work = scratch('local-fork');
const project = path.join(work.dir, 'app');
mkdirSync(project);
runCli(['init', '--yes', '--project', 'app'], project);
const vars = JSON.parse(runCli(['env', 'dev', '--format', 'json'], project));
const dbFile = new URL(vars.DATABASE_URL).pathname;
const bucket = vars.BUCKET_NAME;

console.error(`generating a ${dbMb} MiB database and ${files} files…`);
const client = createClient({ url: vars.DATABASE_URL });
await client.execute('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)');
await client.execute(`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${dbMb}) INSERT INTO blobs SELECT x, randomblob(1048000) FROM c`);
client.close();
for (let d = 0; d < Math.ceil(files / 100); d++) {
  const sub = path.join(bucket, `dir-${d}`);
  mkdirSync(sub, { recursive: true });
  for (let f = 0; f < 100 && d * 100 + f < files; f++) writeFileSync(path.join(sub, `file-${f}.bin`), Buffer.alloc(2048, f));
}
execFileSync('sync');

const config = readFileSync(path.join(project, 'fork-stack.toml'), 'utf8');
function useConfig(sections) {
  const kept = config.split(/\n(?=\[)/).filter((part) => !part.startsWith('[') || sections.some((s) => part.startsWith(`[${s}`)));
  writeFileSync(path.join(project, 'fork-stack.toml'), kept.join('\n'));
}

function timeOnce(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const results = { cp: [], forkAll: [], db: [], storage: [], secrets: [] };
for (let i = 0; i < rounds; i++) {
  const copyDir = path.join(work.dir, `cp-${i}`);
  mkdirSync(copyDir);
  results.cp.push(timeOnce(() => execFileSync('cp', ['-r', dbFile, bucket, copyDir])));
  rmSync(copyDir, { recursive: true, force: true });
  execFileSync('sync');

  useConfig(['database', 'storage', 'secrets']);
  results.forkAll.push(timeOnce(() => runCli(['create', `all-${i}`], project)));
  runCli(['delete', `all-${i}`, '--yes'], project);
  execFileSync('sync');

  for (const [key, section] of [['db', 'database'], ['storage', 'storage'], ['secrets', 'secrets']]) {
    useConfig([section]);
    results[key].push(timeOnce(() => runCli(['create', `${key}-${i}`], project)));
    runCli(['delete', `${key}-${i}`, '--yes'], project);
    execFileSync('sync');
  }
  useConfig(['database', 'storage', 'secrets']);
}
work.cleanup();

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const slowest = Math.max(m.db, m.storage, m.secrets);
const out = [
  table(
    ['measurement', 'median', 'ratio'],
    [
      [`cp -r of the same bytes (${dbMb} MiB db + ${files} files) — baseline`, ms(m.cp), '1.00×'],
      ['fork-stack create (database + storage + secrets)', ms(m.forkAll), `${ratio(m.forkAll, m.cp)} of cp -r`],
      ['create with the database alone', ms(m.db), ''],
      ['create with the storage alone', ms(m.storage), ''],
      ['create with the secrets alone', ms(m.secrets), ''],
      ['all three vs the slowest alone', '', `${ratio(m.forkAll, slowest)}`],
    ],
  ),
  '',
  `${rounds} interleaved rounds; each create is a separate CLI process (start-up included); ${machine()}.`,
  'Copies use copy-on-write clones where the filesystem supports them (this disk: see `df -T`); otherwise a kernel copy.',
].join('\n');
console.log(out);
if (process.argv.includes('--record')) {
  mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench/results/local-fork.md'), `# Local fork\n\n${out}\n`);
}
