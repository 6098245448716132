#!/usr/bin/env node
/**
 * Runs the reliability suites (packages/fork-stack/test/reliability) and writes docs/reliability.md from
 * the figures they record: kill points survived, fault rates held, orphans found, inputs tried, bugs
 * reproduced, and how long each took.
 *
 *   node scripts/reliability-report.mjs [--long | --short] [--no-doc] [--from <results dir>] [--out <file>] [--force]
 *
 *   --long      the long variants (default): FORK_STACK_RELIABILITY=long
 *   --short     the short variants `npm test` runs
 *   --no-doc    run and print the summary, leave docs/reliability.md alone (`npm run reliability`)
 *   --from      do not run: write the page from the figures of an earlier run
 *   --force     write the page even when tests failed (it says so at the top)
 *
 * The CLI must be built first (the npm scripts do it). Exit code: vitest's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = 'packages/fork-stack/test/reliability';

function parseArgs(argv) {
  const args = { mode: 'long', doc: true, from: undefined, out: path.join(ROOT, 'docs', 'reliability.md'), force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--long' || a === '--short') args.mode = a.slice(2);
    else if (a === '--no-doc') args.doc = false;
    else if (a === '--force') args.force = true;
    else if (a === '--from') args.from = argv[++i];
    else if (a === '--out') args.out = path.resolve(argv[++i]);
    else {
      console.error(`unknown argument ${a}\nusage: node scripts/reliability-report.mjs [--long | --short] [--no-doc] [--from <dir>] [--out <file>] [--force]`);
      process.exit(2);
    }
  }
  return args;
}

function run(mode, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const start = Date.now();
  const result = spawnSync(process.execPath, [vitest, 'run', SUITES, '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(dir, 'vitest.json')}`], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, FORK_STACK_RELIABILITY: mode, FORK_STACK_RELIABILITY_RESULTS: dir },
  });
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ mode, wallMs: Date.now() - start, exitCode: result.status ?? 1, finishedAt: new Date().toISOString() }));
  return result.status ?? 1;
}

function load(dir) {
  const figures = {};
  for (const name of readdirSync(dir).filter((n) => n.includes('--') && n.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
    (figures[record.suite] ??= {})[record.part] = record.figures;
  }
  const read = (file) => (existsSync(path.join(dir, file)) ? JSON.parse(readFileSync(path.join(dir, file), 'utf8')) : undefined);
  return { figures, vitest: read('vitest.json'), run: read('run.json') };
}

// ---------------------------------------------------------------------------------------------- render

/** A table cell: `code` cells become code spans; other text is escaped for Markdown tables and VitePress (HTML, Vue). */
function cell(v) {
  if (v === undefined || v === null) return '—';
  const text = String(v).replace(/\n/g, ' ').replace(/\|/g, '\\|');
  const code = /^`(.*)`$/s.exec(text);
  if (code) return `<code v-pre>${escapeHtml(code[1])}</code>`;
  return escapeHtml(text).replace(/\{\{/g, '&#123;&#123;');
}
const escapeHtml = (t) => t.replace(/&(?![#a-z0-9]+;)/gi, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
const seconds = (ms) => (ms === undefined ? '—' : ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
const yes = (b) => (b ? 'yes' : '**no**');
const kinds = (o) => Object.entries(o ?? {}).map(([k, v]) => `${v} ${k}`).join(', ') || '0';
const sum = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);

function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()}), Node ${process.versions.node}`;
}

function crashSection(crash = {}) {
  const rows = Object.entries(crash).map(([part, f]) => [
    part,
    f.stack,
    f.parent,
    `**${f.killPoints}** (${kinds(f.byKind)})`,
    f.finishedFirst,
    f.recoveredByCreate,
    f.recoveredByDelete,
    f.nothingToDelete,
    `**${f.orphans?.length ?? 0}**`,
    sum(f.knownBugOrphans) + sum(f.knownBugRepairs) === 0 ? '0' : [...Object.entries(f.knownBugOrphans ?? {}).map(([k, v]) => `${v} left by ${k}`), ...Object.entries(f.knownBugRepairs ?? {}).map(([k, v]) => `${v} repaired (${k})`)].join('; '),
    yes(f.parentUnchanged),
    seconds(f.durationMs),
  ]);
  const landed = Object.entries(crash).map(
    ([part, f]) =>
      `- **${part}** (one uninterrupted create: ${seconds(f.calibration?.durationMs)}, ${f.calibration?.ops} filesystem mutations, ${f.calibration?.requests} requests): ${Object.entries(f.phases ?? {})
        .map(([p, n]) => `${p} ×${n}`)
        .join(' · ')}`,
  );
  return [
    '## 1. Crash at any point',
    '',
    'The built CLI runs `fork-stack create alice` and is killed with SIGKILL — no handler, no `finally`, no exit hook runs — at points spread over its whole run:',
    '',
    '- **step**: before each step of its file protocol (lock, `creating` journal, partial files, renames, env file), found by a preloaded hook that counts the filesystem mutations of the process (`test/reliability/support/kill-hook.mjs`);',
    '- **op**: before the n-th filesystem mutation, wherever it falls (mostly inside the bulk copies);',
    '- **request**: when the n-th request reaches the servers or fakes (Neon, AWS Secrets Manager, s3rver), spread over the whole run including the polling of asynchronous operations;',
    '- **timer**: at time offsets spread over a calibrated run, for what neither hook sees (SQLite\'s own writes, a server-side `CREATE DATABASE` in progress, a Redis key copy).',
    '',
    'After each kill the user\'s way out is taken, alternately: re-run `create` (it must finish the environment, whose data must then equal the parent\'s) or `delete --yes` (it must remove everything). Then everything of `alice` is counted: files and temp files on disk, databases (including `fork_stack_tmp_*` staging databases), branches, endpoints, secrets, buckets, keys and registry entries. The parent\'s data (SQLite rows, bucket tree, secrets, the fakes\' records of the parent, PostgreSQL rows, Redis keys) is checksummed before and after.',
    '',
    table(['Stack', 'Resources', 'Parent', 'Kill points', 'Finished before its kill point', 'Finished by re-run create', 'Removed by delete', 'Killed before anything existed', 'Orphans (unexplained)', 'Known bugs hit', 'Parent unchanged', 'Time'], rows.map((r) => r)),
    '',
    'Where the kills landed (what of `alice` existed at that instant):',
    '',
    ...landed,
  ].join('\n');
}

function faultsSection(faults = {}) {
  const f = faults['faulty providers'] ?? { results: {} };
  const entries = Object.entries(f.results ?? {});
  const cycles = entries.filter(([k]) => !k.includes('100%'));
  const full = entries.filter(([k]) => k.includes('100%'));
  return [
    '## 2. Faulty providers',
    '',
    `Every cloud provider through its fake (\`packages/provider-fakes\`), in pairs of a database and a secrets provider. A seeded **${Math.round((f.rate ?? 0) * 100)}%** of requests get a fault drawn from ${(f.kinds ?? []).join(', ')} (429 with Retry-After; \`drop\` destroys the socket; \`stall\` answers nothing for ${seconds(f.stallMs)}, past the ${f.httpTimeoutMs} ms HTTP timeout). Retries and timeouts are shortened through \`FORK_STACK_HTTP_TIMEOUT_MS=${f.httpTimeoutMs}\`, \`FORK_STACK_RETRY_ATTEMPTS=${f.retryAttempts}\` and \`FORK_STACK_RETRY_BASE_MS=5\`. "After apply" faults hit requests the fake has already carried out (the client sees an error for a create that happened), which checks that retried mutations are idempotent. Each cycle is create → list → delete of a new environment; after each create exactly one resource per provider must exist, none after delete, and the parent must not change. Times are measured, never asserted.`,
    '',
    table(
      ['Providers (faults)', 'Cycles', 'Requests', 'Faults (rate)', 'By kind', 'create / list / delete (total)', 'Slowest create', 'Duplicates', 'Left after delete', 'Parent unchanged'],
      cycles.map(([k, r]) => [k, r.cycles, r.requests, `${r.faults} (${Math.round(r.faultRate * 100)}%)`, Object.entries(r.byKind ?? {}).map(([kind, n]) => `${kind}: ${n}`).join(', '), `${seconds(r.createMs)} / ${seconds(r.listMs)} / ${seconds(r.deleteMs)}`, seconds(r.maxCreateMs), r.duplicates, r.leftAfterDelete, yes(r.parentUnchanged)]),
    ),
    '',
    'At **100% faults** on the request that creates each resource (applied, then answered 503, every time), `create` must fail cleanly: exit 1, one message naming the provider, no stack trace, and a rollback that leaves nothing on the fakes. (Neon does not, yet: see the bugs below.)',
    '',
    table(['Providers', 'Exit code', 'Message', 'Faults injected', 'Left on the fakes', 'Time'], full.map(([k, r]) => [k.replace(' (100% faults on create)', ''), r.exitCode, `\`${r.message}\``, r.faults, r.leftOnFakes, seconds(r.ms)])),
  ].join('\n');
}

/** "busy, busy, busy" → "busy ×3". */
function compress(value) {
  if (typeof value !== 'string' || !value.includes(', ')) return value;
  const counts = new Map();
  for (const item of value.split(', ')) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts].map(([item, n]) => (n > 1 ? `${item} ×${n}` : item)).join(', ');
}

function listSection(title, intro, groups) {
  const rows = [];
  for (const [, parts] of Object.entries(groups)) {
    for (const [part, f] of Object.entries(parts ?? {})) {
      const { ms, ...rest } = f;
      rows.push([part, Object.entries(rest).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : compress(v)}`).join(', '), seconds(ms)]);
    }
  }
  return [title, '', intro, '', table(['Case', 'Figures', 'Time'], rows)].join('\n');
}

function bugsSection(bugs = {}) {
  const list = Object.values(bugs).sort((a, b) => Number(Boolean(a.fixed)) - Number(Boolean(b.fixed)) || a.id.localeCompare(b.id));
  if (list.length === 0) return '## Bugs found\n\nNone reproduced in this run.';
  const status = (b) => (b.fixed ? (b.reproduced ? '**regressed**' : `fixed: ${b.fixed}`) : b.reproduced ? 'open (reproduced in this run)' : 'open, not reproduced in this run');
  return [
    '## Bugs found',
    '',
    'Every bug these suites found has a test. While a bug is open its test is marked `it.fails` (it passes while the bug is there); once fixed it becomes a plain regression test. The suites count what open bugs cause separately ("known bugs hit" above) so that they still prove there is nothing else.',
    '',
    table(['Bug', 'Status', 'What happened', 'Where', 'Test'], list.map((b) => [b.id, status(b), b.what, b.where, b.test])),
  ].join('\n');
}

function render({ figures, vitest, run: runInfo }, mode) {
  const files = (vitest?.testResults ?? []).map((r) => [path.basename(r.name), r.status, r.assertionResults.length, seconds(r.endTime - r.startTime)]);
  // it.fails tests pass while their bug is there; each records itself under figures.bugs.
  const expectedFail = Object.values(figures.bugs ?? {}).filter((b) => b.reproduced && !b.fixed).length;
  const failed = vitest?.numFailedTests ?? 0;
  const date = runInfo?.finishedAt ?? new Date().toISOString();
  const shrunk =
    mode === 'long'
      ? 'The long variant is sized for about 20 minutes on a shared 2-core machine (`TIMEOUT_MS` and the `scale(short, long)` values in each suite set the sizes); the tables give what was actually tried.'
      : 'These are the short variants `npm test` runs; `npm run reliability:report` writes this page from the long ones.';
  return `# Reliability

What fork-stack promises — whatever happens during \`create\`, \`switch\` or \`delete\` (a crash, a killed process, a flaky provider, two teammates at once, garbage in the config), it never loses data, never touches the parent, never leaves resources it cannot find again, and always tells the truth — and the figures of the suites that check it (\`packages/fork-stack/test/reliability/\`).

This page is generated: \`npm run reliability:report\` runs the long variants and rewrites it; \`npm run reliability\` runs them without touching it; \`npm test\` runs the short variants.

| Run | |
|---|---|
| Date | ${date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} |
| Variant | ${mode} (\`FORK_STACK_RELIABILITY=${mode}\`) |
| Machine | ${machine()} |
| Wall time | ${seconds(runInfo?.wallMs)} |
| Tests | ${vitest ? `${vitest.numPassedTests} passed (${expectedFail} of them \`it.fails\` tests reproducing the bugs below), ${failed} failed` : '—'} |

${failed > 0 ? `> **${failed} test(s) failed in this run**: the figures below are incomplete.\n\n` : ''}${shrunk}

${crashSection(figures.crash)}

${faultsSection(figures.faults)}

${listSection(
  '## 3. Concurrency',
  'Two `create alice` at once in one checkout (the per-environment lock): one succeeds, the other gets a clear error and changes nothing. Two checkouts of a team (no shared lock) racing on the same name: the environment exists once and whole, neither run removes the other\'s resources, and the run that did not make the Neon branch (the deciding resource) is told it already exists. Ten creates of different environments at once, on the local stack and on the Neon + Doppler fakes. `switch` racing a `create` and other switches while two reader processes read `.current-env` and `.env.local` in a tight loop: every read must be a whole file naming one whole environment (user lines kept, one managed block, header, `FORK_STACK_ENV`, `DATABASE_URL` and `BUCKET_NAME` agreeing).',
  figures.concurrency ?? {},
)}

${listSection(
  '## 4. Hostile input',
  'Property-based (fast-check): environment names built from path, shell and SQL fragments mixed with random text; config files of garbage bytes, random TOML trees and random mutations of a valid file (with every provider of each kind); secret values of any Unicode with quotes, newlines, `$`, backslashes and shell payloads. Through the library and through the built CLI: no uncaught exception, no stack trace, exit 2 for bad input, and every accepted value comes back exactly (from `secrets get`, the env file as the readers parse it, `.env.local`, the npm `dotenv` parser for values fork-stack calls portable, bash evaluating `env --format shell`, and the process `run` starts). Paths full of shell syntax are used literally (no payload ever runs); on a real PostgreSQL, `names` overrides full of SQL create exactly the database they name, or are refused, and nothing else changes.',
  figures.hostile ?? {},
)}

${listSection(
  '## 5. Secrets never leak',
  'A cloud database (Neon, Turso, PlanetScale, Supabase fakes) with a cloud secrets provider (Doppler, AWS Secrets Manager, Vault fakes) whose parent holds canary secrets; every command with and without `--json`, then again while an echo proxy turns the requests that write secret values into errors quoting the request and the provider\'s answer, and the database create into an error quoting the request. No canary and no credential the database fakes minted (role passwords, tokens) may appear in any output or in any file outside `.fork-stack/envs/`, `.fork-stack/secrets/` and `.env.local`. The local stack and the secrets providers alone are covered by `packages/fork-stack/test/safety/`.',
  figures.leaks ?? {},
)}

${listSection(
  '## 6. The invariants',
  'The four rules every provider keeps (docs/architecture.md), attacked through the built CLI (`invariants.test.ts`). **Ownership is proven, never inferred**: a database file, bucket directory and secrets file fork-stack did not make (empty and non-empty) sit under an environment\'s name while `delete`, `create`, `create --resume`, `create --reuse`, `reset` and `gc` run; each refuses (exit 1) and says whose it is, and everything is compared byte for byte after each command. Each provider proves the same through the shared ownership contract against its own server or fake (moto, s3rver, PostgreSQL, Redis, SQLite files, the OpenAPI-strict fakes), including versioned buckets holding only delete markers and resources marked for another project. **No false success**: Ctrl-C typed on a real pseudo-terminal and SIGINT/SIGTERM sent off it, at points spread over a create: never exit 0, no lock left behind, and whatever is left is finished by `create`. **One writer at a time**: concurrent `secrets set` processes, and six racers taking over a dead holder\'s lock at once. **The prod guard compares resources**: spellings of prod\'s database, SQLite file and bucket (host aliases, libpq keyword strings, query parameters, real paths) are refused under any key; other databases on the same server are not.',
  figures.invariants ?? {},
)}

${bugsSection(figures.bugs)}

## Test files

${table(['File', 'Status', 'Tests', 'Time'], files)}
`;
}

// ------------------------------------------------------------------------------------------------ main

const args = parseArgs(process.argv.slice(2));
const dir = args.from ? path.resolve(args.from) : path.join(os.tmpdir(), `fork-stack-reliability-${args.mode}`);
let code = 0;
if (!args.from) {
  if (!existsSync(path.join(ROOT, 'packages', 'fork-stack', 'dist', 'cli.js'))) {
    console.error('the CLI is not built: run "npm run build" first (the npm scripts do)');
    process.exit(2);
  }
  code = run(args.mode, dir);
}
const data = load(dir);
const mode = data.run?.mode ?? args.mode;
const page = render(data, mode);
console.log(`\nfigures: ${dir}`);
if (!args.doc) {
  console.log('(--no-doc: docs/reliability.md left as it is; write it with "npm run reliability:report")');
} else if (code !== 0 && !args.force) {
  console.error(`tests failed (exit ${code}): ${path.relative(ROOT, args.out)} not written (add --force to write it anyway)`);
} else {
  writeFileSync(args.out, page);
  console.log(`wrote ${path.relative(ROOT, args.out)}`);
}
process.exit(code);
