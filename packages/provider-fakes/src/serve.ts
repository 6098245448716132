#!/usr/bin/env node
// Standalone fakes for integration tests in other languages:
//   node packages/provider-fakes/dist/serve.js neon turso --scenario scenario.json
// prints KEY=value lines (base-URL overrides and credentials) on stdout, then runs until SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FAKE_NAMES, startFake, type FakeName, type FakeOptions } from './index.js';

const USAGE = `usage: serve.js [options] <fake>...
fakes: ${FAKE_NAMES.join(', ')}
options:
  --scenario <file.json>  per-fake options and scenario: {"neon": {"scenario": {...}, "pageSize": 2, ...}}
  --latency <ms>          latency added to every answer
  --fault-rate <0..1>     fraction of requests answered with a fault (429/500/503/drop)
  --fault-seed <n>        seed of the fault RNG (default 1)
  --page-size <n>         page size of list endpoints
  --polls <n>             status reads before asynchronous work completes (default 1)`;

function fail(message: string): never {
  process.stderr.write(`serve: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) fail(`--${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  return parsed;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        scenario: { type: 'string' }, latency: { type: 'string' }, 'fault-rate': { type: 'string' }, 'fault-seed': { type: 'string' },
        'page-size': { type: 'string' }, polls: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const names = parsed.positionals;
  if (names.length === 0) fail('name at least one fake');
  for (const name of names) if (!FAKE_NAMES.includes(name as FakeName)) fail(`unknown fake "${name}"`);

  let perFake: Record<string, FakeOptions> = {};
  if (parsed.values.scenario) {
    try {
      perFake = JSON.parse(readFileSync(parsed.values.scenario, 'utf8')) as Record<string, FakeOptions>;
    } catch (error) {
      fail(`cannot read scenario ${parsed.values.scenario}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const rate = number(parsed.values['fault-rate'], 'fault-rate');
  if (rate !== undefined && rate > 1) fail('--fault-rate must be between 0 and 1');
  const common: FakeOptions = {
    ...(parsed.values.latency ? { latencyMs: number(parsed.values.latency, 'latency') } : {}),
    ...(rate !== undefined ? { faults: { rate, seed: number(parsed.values['fault-seed'], 'fault-seed') ?? 1 } } : {}),
    ...(parsed.values['page-size'] ? { pageSize: number(parsed.values['page-size'], 'page-size') } : {}),
    ...(parsed.values.polls ? { async: { polls: number(parsed.values.polls, 'polls') ?? 1 } } : {}),
  };

  const fakes = await Promise.all(names.map((name) => startFake(name as FakeName, { ...common, ...perFake[name] })));
  const env = Object.assign({}, ...fakes.map((fake) => fake.env)) as Record<string, string>;
  process.stdout.write(Object.entries(env).map(([key, value]) => `${key}=${value}\n`).join(''));
  process.stderr.write(`fakes ready: ${names.join(', ')} (stop with SIGTERM)\n`);

  const stop = async () => {
    await Promise.all(fakes.map((fake) => fake.close()));
    const violations = fakes.flatMap((fake) => fake.violations.map((v) => `${fake.provider.name}: ${v.method} ${v.path}: ${v.problems.join('; ')}`));
    const forbidden = fakes.flatMap((fake) => fake.forbiddenCalls.map((c) => `${fake.provider.name}: ${c.method} ${c.path}: ${c.reason}`));
    for (const line of [...violations, ...forbidden]) process.stderr.write(`${line}\n`);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`serve: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
