/**
 * Hostile input, config files: garbage bytes, random TOML trees with random keys and values, and random
 * mutations of a valid fork-stack.toml (any provider of each kind, with random options), through the
 * config loader and through the built CLI. Every file is either loaded or refused with a UsageError
 * (exit 2) whose message reads like a sentence — never another exception, a stack trace or a crash report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/core/errors.js';
import { registry } from '../../src/providers/registry.js';
import { runCliAsync, tempDir } from '../helpers/cli.js';
import { recordFigures, scale, since, TIMEOUT_MS, type Figure } from './support/figures.js';
import { NASTY, sane } from './support/hostile.js';

const results: Record<string, Figure> = {};
afterAll(() => recordFigures('hostile', 'config files', results));

const KEYS = [
  'project',
  'default_parent',
  'roots',
  'protected',
  'database',
  'storage',
  'secrets',
  'cache',
  'queue',
  'provider',
  'path',
  'dir',
  'name',
  'names',
  'url',
  'prefix',
  'exclude',
  'copy',
  'git',
  'lifecycle',
  'default_ttl',
  'max_envs',
  'uploads',
  'default',
  'concurrency',
  'hyphens',
  'isolation',
];
const PROVIDERS = Object.values(registry).flatMap((kind) => Object.keys(kind));

/** Keys: real ones (to get past the first check) and arbitrary text. */
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 }), fc.constantFrom(...NASTY));
const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(...NASTY, ...PROVIDERS, '{project}-{env}', '{env}', '{nope}', '7d', '-1', 'prod', 'dev'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
);
/** A TOML-representable tree (no null: TOML has none). */
const { tree: tomlTree } = fc.letrec<{ tree: Record<string, unknown>; value: unknown }>((tie) => ({
  tree: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(scalar, { maxLength: 4 }), tie('tree')),
}));

const BASE = {
  project: 'app',
  default_parent: 'dev',
  roots: ['dev'],
  protected: ['prod', 'dev'],
  database: { provider: 'sqlite', path: '.fork-stack/data/{project}.{env}.db' },
  storage: { uploads: { provider: 'fs', dir: '.fork-stack/buckets' } },
  secrets: { provider: 'dotenv', exclude: ['STRIPE_*'] },
  lifecycle: { default_ttl: '7d', max_envs: 10 },
  git: { auto_create: false },
};

/** A valid config with random edits: values replaced, keys removed or added, providers swapped. */
const mutated = fc
  .tuple(
    fc.array(fc.tuple(fc.array(fc.constantFrom(...KEYS, 'uploads'), { minLength: 1, maxLength: 3 }), fc.oneof(scalar, tomlTree, fc.constant(undefined))), {
      minLength: 0,
      maxLength: 3,
    }),
    fc.record({
      database: fc.constantFrom(...Object.keys(registry.database)),
      storage: fc.constantFrom(...Object.keys(registry.storage)),
      secrets: fc.constantFrom(...Object.keys(registry.secrets)),
    }),
    fc.boolean()
  )
  .map(([edits, providers, swap]) => {
    const config = structuredClone(BASE) as Record<string, unknown>;
    if (swap) {
      (config.database as Record<string, unknown>).provider = providers.database;
      ((config.storage as Record<string, Record<string, unknown>>).uploads as Record<string, unknown>).provider = providers.storage;
      (config.secrets as Record<string, unknown>).provider = providers.secrets;
    }
    for (const [keyPath, value] of edits) {
      let node = config;
      for (const k of keyPath.slice(0, -1)) {
        if (typeof node[k] !== 'object' || node[k] === null || Array.isArray(node[k])) node[k] = {};
        node = node[k] as Record<string, unknown>;
      }
      const last = keyPath.at(-1) as string;
      if (value === undefined) delete node[last];
      else node[last] = value;
    }
    return config;
  });

const garbage = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1'))
);
const randomToml = tomlTree.map((t) => stringify(t));
const mutatedToml = mutated.map((t) => stringify(t));

/** parseConfig loads it, or refuses it with a UsageError that reads well. */
async function loadsOrRefuses(text: string): Promise<'loaded' | 'refused'> {
  try {
    await parseConfig(text, '/project/fork-stack.toml');
    return 'loaded';
  } catch (error) {
    if (!(error instanceof UsageError))
      throw new Error(`not a UsageError for ${JSON.stringify(text.slice(0, 200))}: ${String((error as Error).stack ?? error)}`);
    const message = [error.message, ...error.details, error.hint ?? ''].join('\n');
    const broken = text.includes('undefined') ? /\[object Object\]/ : /\[object Object\]|\bundefined\b/;
    if (broken.test(message)) throw new Error(`message shows a missing value for ${JSON.stringify(text.slice(0, 200))}:\n${message}`);
    return 'refused';
  }
}

describe('hostile config files', () => {
  it.each([
    ['garbage text and bytes', garbage],
    ['random TOML trees', randomToml],
    ['mutations of a valid config (every provider)', mutatedToml],
  ] as const)(
    'library: %s are loaded or refused with a clear usage error',
    async (label, arbitrary) => {
      const runs = scale(400, 8_000);
      const counts = { loaded: 0, refused: 0 };
      const start = performance.now();
      await fc.assert(
        fc.asyncProperty(arbitrary, async (text) => {
          counts[await loadsOrRefuses(text)]++;
        }),
        { numRuns: runs }
      );
      results[`library: ${label}`] = { inputs: runs, ...counts, ms: since(start) };
    },
    TIMEOUT_MS
  );

  it(
    'CLI: list and create on a hostile config exit 0, 1 or 2 with one clear message, and --json output stays JSON',
    async () => {
      const tmp = tempDir('fork-stack-hostile-config-');
      const dir = path.join(tmp.dir, 'app');
      mkdirSync(dir);
      const inputs = [
        ...fc.sample(garbage, { numRuns: scale(2, 20), seed: 1 }),
        ...fc.sample(randomToml, { numRuns: scale(2, 20), seed: 2 }),
        ...fc.sample(mutatedToml, { numRuns: scale(3, 40), seed: 3 }),
      ];
      const problems: string[] = [];
      const codes: number[] = [];
      const start = performance.now();
      try {
        for (const text of inputs) {
          writeFileSync(path.join(dir, 'fork-stack.toml'), text);
          for (const args of [
            ['list', '--json'],
            ['create', 'alice'],
          ]) {
            const result = await runCliAsync(args, { cwd: dir, env: { FORK_STACK_RETRY_ATTEMPTS: '1' } });
            codes.push(result.code ?? -1);
            const problem = sane(result, [0, 1, 2], text);
            if (problem) problems.push(`${args.join(' ')} on ${JSON.stringify(text.slice(0, 120))}: ${problem}`);
            if (args.includes('--json')) {
              try {
                JSON.parse(result.stdout);
              } catch {
                problems.push(`${args.join(' ')}: stdout is not JSON: ${JSON.stringify(result.stdout.slice(0, 120))}`);
              }
            }
          }
        }
        expect(problems).toEqual([]);
        results['CLI: list --json and create'] = {
          inputs: inputs.length,
          runs: codes.length,
          exit0: codes.filter((c) => c === 0).length,
          exit1: codes.filter((c) => c === 1).length,
          exit2: codes.filter((c) => c === 2).length,
          ms: since(start),
        };
      } finally {
        tmp.cleanup();
      }
    },
    TIMEOUT_MS
  );
});
