// Deleting one environment's cache keys on a shared Redis: an environment with N keys (default 1,000,000)
// on a server that also holds N keys of other environments and of another app. Compared, in the same
// run, interleaved, medians:
//   - fork-stack delete (the CLI process: config, lookups, SCAN + UNLINK of exactly the prefix);
//   - the provider's SCAN + UNLINK alone (redis-common/keyspace.ts deleteByPrefix);
//   - what people write by hand: KEYS '<prefix>*' then DEL in batches of 1,000 (pipelined).
// For each: the time, the longest the server left another client waiting (a PING every 10 ms on a second
// connection), and the proof that nothing else was touched: the number of other keys and a checksum of
// the DUMP of a sample of them, before and after.
//
// The server is a fresh redis-server started by test/helpers/redis-server.ts (no persistence), or
// FORK_STACK_BENCH_REDIS_URL (it is written to: use a scratch server).
// Sizes: FORK_STACK_BENCH_REDIS_KEYS (default 1000000), FORK_STACK_BENCH_ROUNDS (default 3).
//   npm run build -w fork-stack && node bench/redis-delete.bench.mjs [--record]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CLI, REPO, machine, median, scratch, table, ms, ratio } from './lib.mjs';

const N = Number(process.env.FORK_STACK_BENCH_REDIS_KEYS ?? 1_000_000);
const rounds = Number(process.env.FORK_STACK_BENCH_ROUNDS ?? 3);
const SAMPLE = Math.min(10_000, N);
const require = createRequire(path.join(REPO, 'packages/fork-stack/package.json'));
const { Redis } = await import(require.resolve('ioredis'));
const { tsImport } = await import('tsx/esm/api');
const keyspace = await tsImport(path.join(REPO, 'packages/fork-stack/src/providers/redis-common/keyspace.ts'), import.meta.url);

let server;
let url = process.env.FORK_STACK_BENCH_REDIS_URL;
let serverNote = 'server given by FORK_STACK_BENCH_REDIS_URL';
if (!url) {
  const harness = await tsImport(path.join(REPO, 'packages/fork-stack/test/helpers/redis-server.ts'), import.meta.url);
  if (!harness.findServerBinary('redis')) {
    console.error('redis-server not found (apt-get install redis-server, or set FORK_STACK_BENCH_REDIS_URL)');
    process.exit(1);
  }
  server = await harness.startRedisServer({ password: 'bench' });
  url = server.url;
}
const client = new Redis(url);
const info = Object.fromEntries((await client.info('server')).split(/\r?\n/).filter((l) => l.includes(':')).map((l) => l.split(':')));
if (server) serverNote = `fresh Redis ${info.redis_version} on loopback, no persistence`;

const ALICE = 'shop:alice:';
/** The other keys: dev (half), alice-2 (a quarter: the neighbour a sloppy pattern would catch), another app (a quarter). */
const others = [
  { prefix: 'shop:dev:', count: Math.floor(N / 2) },
  { prefix: 'shop:alice-2:', count: Math.floor(N / 4) },
  { prefix: 'legacy-app:', count: N - Math.floor(N / 2) - Math.floor(N / 4) },
];

/** Write `count` keys under `prefix`: mostly short strings, every 100th a hash, every 10th with a TTL. */
async function load(prefix, count) {
  const chunk = 50_000;
  for (let start = 0; start < count; start += chunk) {
    const p = client.pipeline();
    const end = Math.min(count, start + chunk);
    const mset = [];
    for (let i = start; i < end; i++) {
      const key = `${prefix}k:${i}`;
      if (i % 100 === 0) p.hset(key, { id: String(i), name: `user ${i}`, plan: 'pro' });
      else if (i % 10 === 0) p.set(key, `value-${i}`, 'EX', 86_400);
      else mset.push(key, `value-${i}`);
      if (mset.length >= 1000) p.mset(...mset.splice(0));
    }
    if (mset.length) p.mset(...mset);
    await p.exec();
  }
}

async function sampleDigest() {
  const hash = createHash('sha256');
  const keys = [];
  for (const { prefix, count } of others) {
    const step = Math.max(1, Math.ceil(count / Math.ceil(SAMPLE / others.length)));
    for (let i = 0; i < count; i += step) keys.push(`${prefix}k:${i}`);
  }
  for (let i = 0; i < keys.length; i += 1000) {
    const p = client.pipeline();
    for (const key of keys.slice(i, i + 1000)) {
      p.dumpBuffer(key);
      p.call('PEXPIRETIME', key);
    }
    for (const [error, value] of await p.exec()) {
      if (error) throw error;
      hash.update(Buffer.isBuffer(value) ? value : String(value));
    }
  }
  return { digest: hash.digest('hex').slice(0, 16), sampled: keys.length };
}

async function countPrefix(prefix) {
  let n = 0;
  for await (const batch of keyspace.scanPrefix(client, prefix, { batch: 5000 })) n += batch.length;
  return n;
}

/**
 * Run `fn` while another process PINGs the server every 10 ms on its own connection; the longest a PING
 * waited. A separate process, so that neither this process's work nor a spawned CLI skews the probe.
 */
const PROBE = `
  const { Redis } = await import(${JSON.stringify(require.resolve('ioredis'))});
  const probe = new Redis(process.argv[1]);
  await probe.ping();
  let worst = 0, running = true;
  process.stdin.on('data', () => (running = false));
  process.stdout.write('ready\\n');
  while (running) {
    const t = process.hrtime.bigint();
    await probe.ping();
    worst = Math.max(worst, Number(process.hrtime.bigint() - t) / 1e6);
    await new Promise((r) => setTimeout(r, 10));
  }
  process.stdout.write(JSON.stringify({ worst }) + '\\n');
  probe.disconnect();
`;
async function withProbe(fn) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE, url], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  await new Promise((resolve) => child.stdout.on('data', () => output.includes('ready') && resolve()));
  const start = process.hrtime.bigint();
  await fn();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  child.stdin.end('stop');
  await new Promise((resolve) => child.on('close', resolve));
  const { worst } = JSON.parse(output.split('\n').find((l) => l.startsWith('{')));
  return { elapsed, worst };
}

/** The CLI as a child process, awaited without blocking this process. */
function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: project.dir, env: { ...process.env, NO_COLOR: '1', ...cliEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fork-stack ${args.join(' ')} failed: ${stderr}`))));
  });
}

// A project whose cache is this server, for the CLI runs.
const project = scratch('redis-delete');
const parsed = new URL(url);
const password = decodeURIComponent(parsed.password);
parsed.password = '';
writeFileSync(
  path.join(project.dir, 'fork-stack.toml'),
  `project = "shop"\nroots = ["dev"]\n\n[cache]\nprovider = "redis"\nurl = "${parsed.toString().replace(/\/$/, '')}"\nbatch_size = 1000\n`,
);
const cliEnv = { REDIS_PASSWORD: password };

console.error(`loading ${N.toLocaleString('en')} keys of other environments…`);
for (const { prefix, count } of others) await load(prefix, count);
const otherCount = N;
const loadBefore = os.loadavg()[0];
const baseline = await sampleDigest();
const baseSize = await client.dbsize();

const methods = {
  'KEYS + DEL (by hand) — baseline': async () => {
    const keys = await client.keys(`${ALICE}*`);
    const p = client.pipeline();
    for (let i = 0; i < keys.length; i += 1000) p.del(...keys.slice(i, i + 1000));
    await p.exec();
  },
  'SCAN + UNLINK (provider, batch 1000)': async () => {
    await keyspace.deleteByPrefix(client, ALICE, { batch: 1000 });
  },
  'fork-stack delete (CLI process)': async () => {
    await cli(['delete', 'alice', '--yes']);
  },
};
const samples = Object.fromEntries(Object.keys(methods).map((k) => [k, { time: [], worst: [] }]));
const proofs = [];
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(methods)) {
    if (name.startsWith('fork-stack')) await cli(['create', 'alice']);
    console.error(`round ${round + 1}/${rounds}: loading ${N.toLocaleString('en')} keys of alice, then ${name}`);
    await load(ALICE, N);
    const { elapsed, worst } = await withProbe(run);
    samples[name].time.push(elapsed);
    samples[name].worst.push(worst);
    const [left, size, after] = [await countPrefix(ALICE), await client.dbsize(), await sampleDigest()];
    const intact = left === 0 && size === baseSize && after.digest === baseline.digest;
    proofs.push(intact);
    if (!intact) throw new Error(`${name}: alice keys left ${left}, db size ${size} (expected ${baseSize}), sample ${after.digest} vs ${baseline.digest}`);
  }
}

const loadNote = `load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)} during the run`;
const base = median(samples['KEYS + DEL (by hand) — baseline'].time);
const rows = Object.entries(samples).map(([name, s]) => [name, ms(median(s.time)), ratio(median(s.time), base), ms(median(s.worst))]);
const cliTime = median(samples['fork-stack delete (CLI process)'].time);
const scan = samples['SCAN + UNLINK (provider, batch 1000)'];
const keysWorst = median(samples['KEYS + DEL (by hand) — baseline'].worst);
const out = `${table(['method', 'median time', 'vs KEYS + DEL', 'longest wait of another client'], rows)}

Deleting ${N.toLocaleString('en')} keys of one environment from a server holding ${(2 * N).toLocaleString('en')}: **fork-stack delete takes ${ms(cliTime)}** (${ratio(cliTime, base)} the hand-written KEYS + DEL); while it runs, another client waits at most ${ms(median(scan.worst))} for an answer, against ${ms(keysWorst)} behind KEYS, which blocks the whole server while it walks every key.

**Nothing else was touched**, after every one of the ${proofs.length} deletes: 0 keys left under \`${ALICE}\`; the server held exactly the ${otherCount.toLocaleString('en')} other keys it held before (DBSIZE ${baseSize.toLocaleString('en')}); and the SHA-256 of the DUMP and expiry time of ${baseline.sampled.toLocaleString('en')} sampled other keys (evenly spread over \`shop:dev:\`, \`shop:alice-2:\` — the neighbour a pattern without separator would catch — and an unprefixed app) was ${baseline.digest}… before and after.

Data: alice and the others each ${N.toLocaleString('en')} keys (99% short strings, 1% hashes, 10% with a TTL). ${rounds} interleaved rounds (alice reloaded before each delete), medians; ${serverNote}; ${machine()}; ${loadNote}.

Reproduce: \`npm run build -w fork-stack && node bench/redis-delete.bench.mjs --record\` (needs redis-server: \`apt-get install redis-server\`; quicker: \`FORK_STACK_BENCH_REDIS_KEYS=100000\`).
`;
console.log(out);
if (process.argv.includes('--record')) {
  mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench/results/redis-delete.md'), `# Redis: delete one environment's keys\n\n${out}`);
}
client.disconnect();
project.cleanup();
await server?.stop();
