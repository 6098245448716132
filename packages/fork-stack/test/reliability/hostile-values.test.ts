/**
 * Hostile input, values: secret values full of quotes, newlines, `$`, backslashes, `#`, shell payloads and
 * any Unicode (property-based, fast-check) set through the built CLI must come back exactly: from
 * `secrets get` (plain and --json), from the environment file as the fork-stack readers parse it, from
 * `.env.local`, from the npm `dotenv` parser when fork-stack calls the value portable, from
 * `env --format shell` evaluated by bash (no payload runs), and in the process `run` starts. Keys that
 * are not variable names are refused with exit 2.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as dotenvParse } from 'dotenv';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortable, KEY_PATTERN, parseDotenv } from '../../src/core/files/dotenv.js';
import { readEnvFile } from '../../src/runtime/env-file.js';
import { localProject, runCli } from '../helpers/cli.js';
import { recordFigures, scale, since, TIMEOUT_MS, type Figure } from './support/figures.js';
import { guardsFix, provesBug } from './support/bugs.js';
import { NASTY, pwned, sane } from './support/hostile.js';

const results: Record<string, Figure> = {};
afterAll(() => recordFigures('hostile', 'secret values', results));

/** No lone surrogate (which UTF-8 cannot encode). */
const wellFormed = (s: string) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));

/** Values any environment variable can hold: well-formed Unicode without NUL. */
const value = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc
      .array(fc.oneof(fc.constantFrom(...NASTY, '\\', '\\n', '${X}', '$X', '#', ' #c', "'", '"', '`', '\r', '\n'), fc.string({ maxLength: 5 })), {
        maxLength: 8,
      })
      .map((p) => p.join(''))
  )
  .filter((s) => wellFormed(s) && !s.includes('\u0000'));

let project: ReturnType<typeof localProject>;
beforeAll(() => {
  project = localProject('app');
  expect(project.run(['create', 'alice']).code).toBe(0);
});
afterAll(() => project?.cleanup());

describe('hostile secret values', () => {
  it(
    'every accepted value round-trips exactly through secrets get, the env file, .env.local, dotenv, bash and run',
    () => {
      const values = fc.sample(value, { numRuns: scale(5, 80), seed: 11 });
      const keys = values.map((_, i) => `V${i}`);
      const problems: string[] = [];
      const start = performance.now();
      values.forEach((v, i) => {
        const key = keys[i] as string;
        // `secrets set` drops one trailing line break (\n or \r\n) from stdin, as `echo value |` adds one:
        // a value ending in \r is therefore piped as is, every other one with a \n.
        const set = project.run(['secrets', 'set', key, '--env', 'alice'], { input: v.endsWith('\r') ? v : `${v}\n` });
        if (sane(set, [0], v)) problems.push(`set ${JSON.stringify(v)}: ${sane(set, [0], v)}`);
        const got = project.run(['secrets', 'get', key, '--env', 'alice']);
        if (got.stdout !== `${v}\n`) problems.push(`get ${JSON.stringify(v)} → ${JSON.stringify(got.stdout)}`);
        const json = project.run(['secrets', 'get', key, '--env', 'alice', '--json']);
        if ((JSON.parse(json.stdout) as { value: string }).value !== v) problems.push(`get --json ${JSON.stringify(v)} → ${json.stdout}`);
      });
      expect(sane(project.run(['switch', 'alice']), [0])).toBeUndefined();

      // The environment file as every fork-stack reader parses it, and .env.local's managed block.
      const fromFile = readEnvFile(project.dir, 'alice') ?? {};
      const envLocal = parseDotenv(readFileSync(path.join(project.dir, '.env.local'), 'utf8'));
      const envFileText = readFileSync(path.join(project.dir, '.fork-stack', 'envs', 'alice.env'), 'utf8');
      const byDotenv = dotenvParse(envFileText);
      // bash: eval what `env --format shell --reveal` prints, then print every value NUL-separated.
      const shell = project.run(['env', 'alice', '--format', 'shell', '--reveal']).stdout;
      const script = `set -e\n${shell}\nprintf '%s\\0' ${keys.map((k) => `"$${k}"`).join(' ')}`;
      const fromBash = execFileSync('bash', ['-c', script], { cwd: project.dir, encoding: 'utf8' }).split('\0').slice(0, -1);
      // The process `run` starts.
      const child = project.run([
        'run',
        '--env',
        'alice',
        '--',
        process.execPath,
        '-e',
        `process.stdout.write(JSON.stringify(${JSON.stringify(keys)}.map((k) => process.env[k])))`,
      ]);
      const fromRun = JSON.parse(child.stdout) as string[];

      let portable = 0;
      values.forEach((v, i) => {
        const key = keys[i] as string;
        if (fromFile[key] !== v) problems.push(`env file: ${JSON.stringify(v)} → ${JSON.stringify(fromFile[key])}`);
        if (envLocal[key] !== v) problems.push(`.env.local: ${JSON.stringify(v)} → ${JSON.stringify(envLocal[key])}`);
        if (fromBash[i] !== v) problems.push(`bash: ${JSON.stringify(v)} → ${JSON.stringify(fromBash[i])}`);
        if (fromRun[i] !== v) problems.push(`run: ${JSON.stringify(v)} → ${JSON.stringify(fromRun[i])}`);
        if (isPortable(v)) {
          portable++;
          if (byDotenv[key] !== v) problems.push(`dotenv (portable value): ${JSON.stringify(v)} → ${JSON.stringify(byDotenv[key])}`);
        }
      });
      expect(pwned(project.dir)).toEqual([]);
      expect(problems).toEqual([]);
      results['values through the CLI'] = { inputs: values.length, portable, readers: 7, mismatches: problems.length, ms: since(start) };
    },
    TIMEOUT_MS
  );

  it(
    'keys that are not variable names are refused with exit 2 and change nothing',
    () => {
      const keys = fc.sample(
        fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...NASTY)).filter((k) => !k.includes('\u0000') && !k.startsWith('-')),
        { numRuns: scale(4, 40), seed: 5 }
      );
      const before = readFileSync(path.join(project.dir, '.fork-stack', 'secrets', 'alice.env'), 'utf8');
      const problems: string[] = [];
      let accepted = 0;
      for (const key of keys) {
        const result = project.run(['secrets', 'set', key, 'v', '--env', 'alice']);
        const expected = KEY_PATTERN.test(key) ? 0 : 2;
        if (result.code !== expected || sane(result, [expected], key))
          problems.push(`${JSON.stringify(key)}: exit ${result.code}, wanted ${expected}: ${result.stderr.trim()}`);
        if (result.code === 0) {
          accepted++;
          project.run(['secrets', 'unset', key, '--env', 'alice']);
        }
      }
      expect(problems).toEqual([]);
      expect(readFileSync(path.join(project.dir, '.fork-stack', 'secrets', 'alice.env'), 'utf8')).toBe(before);
      results['secret names'] = { inputs: keys.length, accepted, rejected: keys.length - accepted };
    },
    TIMEOUT_MS
  );

  // Regression test for a bug this suite found, now fixed: secrets-set-non-utf8 in support/bugs.ts.
  it(
    'a piped value that is not UTF-8 is refused (exit 2) or stored byte for byte',
    guardsFix('secrets-set-non-utf8', () => {
      const bytes = Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]);
      const set = runCli(['secrets', 'set', 'RAW', '--env', 'alice'], { cwd: project.dir, input: bytes as unknown as string });
      if (set.code === 2) return;
      const got = runCli(['secrets', 'get', 'RAW', '--env', 'alice'], { cwd: project.dir });
      expect(Buffer.from(got.stdout, 'utf8')).toEqual(bytes);
    })
  );

  // Regression test for a bug this suite found, now fixed: secrets-nul-crashes-run in support/bugs.ts.
  it(
    'a value with a NUL byte is refused by secrets set, or run reports it clearly',
    guardsFix('secrets-nul-crashes-run', () => {
      const set = project.run(['secrets', 'set', 'NUL_VALUE', '--env', 'alice'], { input: 'a\u0000b\n' });
      try {
        if (set.code === 2) return;
        const run = project.run(['run', '--env', 'alice', '--', process.execPath, '-e', '0']);
        expect(sane(run, [0, 1, 2])).toBeUndefined();
      } finally {
        project.run(['secrets', 'unset', 'NUL_VALUE', '--env', 'alice']);
      }
    })
  );
});
