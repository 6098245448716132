/**
 * The leak scan shared by the no-leak tests: run every command (with and without --json, on success and
 * on errors) and check that no secret value reaches stdout, stderr or any file other than the three
 * places values are meant to live (.fork-stack/envs/, .fork-stack/secrets/ and .env.local). Only
 * `secrets get` and `--reveal` may print a value, and they are run separately.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { RunResult } from '../helpers/cli.js';
import { allFiles } from './helpers.js';

/** Distinct values that are easy to find and awkward to carry: quotes, newlines, `$`, `#`, a webhook URL. */
export function canaries(tag: string): Record<string, string> {
  const id = `${tag}${Math.random().toString(36).slice(2, 8)}`;
  return {
    PLAIN_TOKEN: `canary-plain-${id}`,
    QUOTED: `canary "q" it's ${id}`,
    MULTILINE_PEM: `-----BEGIN KEY-----\ncanary-line-${id}\n-----END KEY-----`,
    DOLLAR: `canary$HOME-\${X}-#${id}`,
    WEBHOOK_URL: `https://hooks.example.com/services/T0/B0/canary${id}`,
    DB_PASSWORD_URL: `postgres://svc:canary-pw-${id}@db-${id}.example.com:5432/app_${id}`,
  };
}

/** The pieces of a value that must never show: the value itself, and each line of a multi-line one. */
function needles(values: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const value of Object.values(values)) {
    out.add(value);
    for (const m of value.matchAll(/canary[-\w]*/g)) out.add(m[0]);
    const pw = /:\/\/[^:]+:([^@]+)@/.exec(value)?.[1];
    if (pw) out.add(pw);
  }
  return [...out].filter((n) => n.length >= 8);
}

export interface Transcript {
  label: string;
  result: RunResult;
}

export function expectNoLeak(transcripts: readonly Transcript[], values: Record<string, string>): void {
  const found: string[] = [];
  for (const { label, result } of transcripts) {
    for (const needle of needles(values)) {
      if (result.stdout.includes(needle)) found.push(`${label}: stdout contains ${JSON.stringify(needle)}`);
      if (result.stderr.includes(needle)) found.push(`${label}: stderr contains ${JSON.stringify(needle)}`);
    }
  }
  expect(found).toEqual([]);
}

const ALLOWED = [/^\.fork-stack\/envs\//, /^\.fork-stack\/secrets\//, /^\.env\.local$/];

export function expectNoLeakInFiles(project: { dir: string }, values: Record<string, string>): void {
  const found: string[] = [];
  for (const file of allFiles(project.dir)) {
    const rel = file.split(path.sep).join('/');
    if (ALLOWED.some((re) => re.test(rel))) continue;
    const text = readFileSync(path.join(project.dir, file), 'utf8');
    for (const needle of needles(values)) if (text.includes(needle)) found.push(`${rel} contains ${JSON.stringify(needle)}`);
  }
  expect(found).toEqual([]);
}

export type Runner = (args: string[], input?: string) => RunResult | Promise<RunResult>;

/**
 * Run the whole command surface through `run`, forking `child` from `parent` (which holds `values`).
 * Returns the transcripts to scan.
 */
export async function runEverything(run: Runner, opts: { parent: string; child: string; values: Record<string, string> }): Promise<Transcript[]> {
  const t: Transcript[] = [];
  const step = async (label: string, args: string[], input?: string) => {
    const result = await run(args, input);
    t.push({ label: `${label} (exit ${result.code})`, result });
    return result;
  };
  const { parent, child } = opts;
  for (const json of [[], ['--json']]) {
    const j = json.join('');
    await step(`create ${j}`, ['create', child, '--from', parent, ...json]);
    await step(`create again ${j}`, ['create', child, '--from', parent, ...json]);
    await step(`switch ${j}`, ['switch', child, ...json]);
    await step(`list ${j}`, ['list', ...json]);
    await step(`status ${j}`, ['status', child, ...json]);
    await step(`env ${j}`, ['env', child, ...json]);
    for (const format of ['dotenv', 'json', 'shell']) await step(`env --format ${format} ${j}`, ['env', child, '--format', format, ...json]);
    await step(`run ${j}`, ['run', '--env', child, ...json, '--', process.execPath, '-e', 'process.stdout.write(String(Object.keys(process.env).length > 0))']);
    await step(`run failing ${j}`, ['run', '--env', child, ...json, '--', process.execPath, '-e', 'process.exit(3)']);
    await step(`doctor ${j}`, ['doctor', ...json]);
    await step(`secrets list ${j}`, ['secrets', 'list', '--env', child, ...json]);
    await step(`secrets set ${j}`, ['secrets', 'set', 'ADDED_LATER', '--env', child, ...json], `${opts.values.QUOTED ?? 'x'}-added\n`);
    await step(`secrets unset ${j}`, ['secrets', 'unset', 'ADDED_LATER', '--env', child, ...json]);
    await step(`secrets get missing ${j}`, ['secrets', 'get', 'NOT_THERE', '--env', child, ...json]);
    await step(`secrets set bad key ${j}`, ['secrets', 'set', 'bad-key', opts.values.PLAIN_TOKEN ?? 'x', '--env', child, ...json]);
    await step(`switch missing ${j}`, ['switch', 'nobody-here', ...json]);
    await step(`delete ${j}`, ['delete', child, '--yes', ...json]);
    await step(`delete again ${j}`, ['delete', child, '--yes', ...json]);
  }
  return t;
}

/** The exit code of each step, by label without the exit suffix. */
export function exitCodes(transcripts: readonly Transcript[]): Record<string, number | null> {
  return Object.fromEntries(transcripts.map((t) => [t.label.replace(/ \(exit .*$/, ''), t.result.code]));
}
