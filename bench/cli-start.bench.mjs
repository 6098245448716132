// CLI start-up: `fork-stack current` and `fork-stack env` against `node -e 0`, measured interleaved in
// the same run (30 rounds, medians). Target: ≤ 1.5× — those commands load no config parser, no SDK.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { CLI, REPO, machine, median, runCli, scratch, table, ms, ratio } from './lib.mjs';

const rounds = Number(process.env.FORK_STACK_BENCH_ROUNDS ?? 30);
const project = scratch('cli-start');
runCli(['init', '--yes'], project.dir);

const commands = {
  'node -e 0 (baseline)': ['-e', '0'],
  'fork-stack current': [CLI, 'current'],
  'fork-stack env': [CLI, 'env'],
  'fork-stack --version': [CLI, '--version'],
};
const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < rounds; i++) {
  for (const [name, args] of Object.entries(commands)) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: project.dir, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    samples[name].push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
project.cleanup();
const base = median(samples['node -e 0 (baseline)']);
const rows = Object.entries(samples).map(([name, s]) => [name, ms(median(s)), ratio(median(s), base)]);
const out = `${table(['command', 'median', 'vs node -e 0'], rows)}\n\n${rounds} interleaved rounds; ${machine()}.\n`;
console.log(out);
if (process.argv.includes('--record')) {
  mkdirSync(path.join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench/results/cli-start.md'), `# CLI start-up\n\n${out}`);
}
