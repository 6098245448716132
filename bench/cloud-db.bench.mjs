// Cloud databases against the provider fakes with 50 ms of injected latency per request (what a nearby
// cloud API costs), driving the built CLI:
//  1. `create` with a Neon branch plus an fs bucket, against each of them alone: the resources are forked
//     in parallel, so both together should take about as long as the slower one (ratio ≈ 1), not the sum.
//  2. `list` over 500 environments per provider: exactly one walk of the provider's list (its pages, no
//     per-environment call), counted on the fake.
// Needs the built CLI and fakes (npm run build). FORK_STACK_BENCH_ROUNDS (default 3), FORK_STACK_BENCH_FILES
// (files in the parent bucket, default 2000), FORK_STACK_BENCH_ENVS (default 500), FORK_STACK_BENCH_LATENCY_MS (50).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CLI, REPO, machine, median, ratio, scratch, table, ms } from './lib.mjs';

const rounds = Number(process.env.FORK_STACK_BENCH_ROUNDS ?? 3);
const files = Number(process.env.FORK_STACK_BENCH_FILES ?? 2000);
const envCount = Number(process.env.FORK_STACK_BENCH_ENVS ?? 500);
const latencyMs = Number(process.env.FORK_STACK_BENCH_LATENCY_MS ?? 50);
const require = createRequire(path.join(REPO, 'packages/fork-stack/package.json'));
const { startFake } = await import(require.resolve('@fork-stack/provider-fakes'));

/**
 * The CLI, asynchronously (the fakes answer from this process), its stdout written to a file.
 */
function cli(args, cwd, env) {
  const outFile = path.join(cwd, `.cli-stdout-${process.pid}`);
  const fd = openSync(outFile, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      closeSync(fd);
      const stdout = readFileSync(outFile, 'utf8');
      rmSync(outFile, { force: true });
      if (code === 0) resolve(stdout);
      else reject(new Error(`fork-stack ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const HEADER = 'project = "myapp"\ndefault_parent = "prod"\nroots = ["prod"]\n';
const work = scratch('cloud-db');

// ---- 1. create: Neon branch + fs bucket, in parallel --------------------------------------------------
const neon = await startFake('neon', { latencyMs, async: { polls: 1 } });
neon.seed.project({ id: 'fake-project-myapp', name: 'myapp' });
const project = path.join(work.dir, 'myapp');
const parentBucket = path.join(project, '.fork-stack/buckets/myapp-bucket-prod');
mkdirSync(parentBucket, { recursive: true });
for (let d = 0; d < Math.ceil(files / 100); d++) {
  mkdirSync(path.join(parentBucket, `dir-${d}`), { recursive: true });
  for (let f = 0; f < 100 && d * 100 + f < files; f++) writeFileSync(path.join(parentBucket, `dir-${d}`, `file-${f}.bin`), Buffer.alloc(4096, f));
}
const sections = {
  database: '[database]\nprovider = "neon"\nproject_id = "fake-project-myapp"\n',
  storage: '[storage.uploads]\nprovider = "fs"\n',
};
const configs = { 'neon branch alone': ['database'], 'fs bucket alone': ['storage'], 'neon branch + fs bucket': ['database', 'storage'] };
const samples = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
const requestsPerCreate = [];
for (let i = 0; i < rounds; i++) {
  for (const [label, parts] of Object.entries(configs)) {
    writeFileSync(path.join(project, 'fork-stack.toml'), `${HEADER}\n${parts.map((p) => sections[p]).join('\n')}`);
    const env = `r${i}-${parts.join('-')}`;
    const before = neon.requests.length;
    samples[label].push(await timed(() => cli(['create', env], project, neon.env)));
    if (parts.includes('database') && parts.length === 1) requestsPerCreate.push(neon.requests.length - before);
    await cli(['delete', env, '--yes'], project, neon.env);
  }
}
if (neon.violations.length) throw new Error(`Neon fake violations: ${JSON.stringify(neon.violations)}`);
await neon.close();
const dbAlone = median(samples['neon branch alone']);
const fsAlone = median(samples['fs bucket alone']);
const both = median(samples['neon branch + fs bucket']);
const createRows = [
  ['neon branch alone', ms(dbAlone), '—'],
  ['fs bucket alone', ms(fsAlone), '—'],
  ['neon branch + fs bucket', ms(both), `${ratio(both, Math.max(dbAlone, fsAlone))} of the slower · ${ratio(both, dbAlone + fsAlone)} of the sum`],
];

// ---- 2. list over 500 environments: one paginated walk per provider ----------------------------------
async function listCase(name, fake, section, listOperation) {
  const dir = path.join(work.dir, `list-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'fork-stack.toml'), `${HEADER}\n${section}`);
  const before = fake.requests.length;
  let listed;
  const elapsed = await timed(async () => {
    listed = JSON.parse(await cli(['list', '--json'], dir, fake.env));
  });
  const requests = fake.requests.slice(before);
  if (fake.violations.length) throw new Error(`${name} fake violations: ${JSON.stringify(fake.violations)}`);
  const walk = requests.filter((r) => r.operation === listOperation);
  return [name, String(listed.environments.length), String(requests.length), String(walk.length), requests.length === walk.length ? 'yes' : 'NO', ms(elapsed)];
}

const listRows = [];
{
  const fake = await startFake('neon', { latencyMs, scenario: 'empty' });
  const { branch: main } = fake.seed.project({ id: 'fake-project-myapp', name: 'myapp' });
  for (let i = 0; i < envCount; i++) {
    const b = fake.seed.branch('fake-project-myapp', { name: `e${i}`, parent_id: main.id });
    b.annotation = { 'fork-stack-project': 'myapp', 'fork-stack-env': `e${i}`, 'fork-stack-parent': 'prod' };
  }
  listRows.push(await listCase('neon', fake, '[database]\nprovider = "neon"\nproject_id = "fake-project-myapp"\n', 'GET /projects/{project_id}/branches'));
  await fake.close();
}
{
  const fake = await startFake('turso', { latencyMs });
  const parent = fake.state.databases.get('myapp');
  for (let i = 0; i < envCount; i++) {
    fake.seed.database(`myapp-e${i}`).parent = { id: parent.DbId, name: 'myapp', branched_at: new Date().toISOString() };
  }
  listRows.push(await listCase('turso', fake, '[database]\nprovider = "turso"\norganization = "fake-org"\n', 'GET /v1/organizations/{organizationSlug}/databases'));
  await fake.close();
}
{
  const fake = await startFake('planetscale', { latencyMs });
  for (let i = 0; i < envCount; i++) fake.seed.branch('myapp', `myapp-e${i}`);
  listRows.push(
    await listCase('planetscale', fake, '[database]\nprovider = "planetscale"\norganization = "fake-org"\ndatabase = "myapp"\n', 'GET /organizations/{organization}/databases/{database}/branches'),
  );
  await fake.close();
}
{
  const fake = await startFake('supabase', { latencyMs });
  const ref = 'fakeprojectmyappaaaa';
  const now = new Date().toISOString();
  const letters = (n) => Array.from({ length: 20 }, (_, k) => String.fromCharCode(97 + (Math.floor(n / 26 ** (k % 4)) % 26))).join('');
  for (let i = 0; i < envCount; i++) {
    fake.state.branches.push({
      id: `00000000-0000-4000-b000-${i.toString(16).padStart(12, '0')}`, name: `myapp-e${i}`, project_ref: letters(i + 1000), parent_project_ref: ref,
      is_default: false, persistent: false, with_data: true, created_at: now, updated_at: now,
    });
  }
  listRows.push(await listCase('supabase', fake, `[database]\nprovider = "supabase"\nproject_ref = "${ref}"\n`, 'GET /v1/projects/{ref}/branches'));
  await fake.close();
}
work.cleanup();

const out = `### create: database + another resource, in parallel

${table(['create', 'median', 'ratio'], createRows)}

${rounds} interleaved rounds; the fs parent bucket holds ${files} files of 4 KiB; the Neon fake answers every request after ${latencyMs} ms
(a Neon create alone makes ${median(requestsPerCreate)} requests: lookups, create, operation polls, connection URI, the prod-safety read).

### list over ${envCount} environments: one walk per provider

${table(['provider', 'environments listed', 'requests', 'list-page requests', 'nothing but the walk', 'time'], listRows)}

Page sizes: Neon cursor pages of 100, PlanetScale page/per_page 100, Turso and Supabase return everything in one answer
(neither API paginates these lists). ${latencyMs} ms per request. ${machine()}.
`;
console.log(out);
if (process.argv.includes('--record')) {
  mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench/results/cloud-db.md'), `# Cloud databases against the provider fakes\n\n${out}`);
}
