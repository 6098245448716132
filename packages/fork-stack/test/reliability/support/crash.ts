/**
 * A crash campaign: run `fork-stack create <env>` and SIGKILL it at many points of its run, then recover
 * the way a user would — re-run `create` (it must finish the environment) or `delete --yes` (it must
 * remove everything) — and count what is left. Used by every stack of the crash suite; each stack says
 * how to count its leftovers and check its parent.
 *
 * Kill points are of four kinds:
 *  - `step`: before a named filesystem mutation of the CLI process ("rename .alice.json.<tmp>", its n-th
 *    occurrence), for every step of the journal, lock and file protocol (support/kill-hook.mjs);
 *  - `op`: before the n-th filesystem mutation, wherever it falls (most fall inside bulk copies);
 *  - `request`: when the n-th request reaches the servers/fakes (the stack counts them), deterministic
 *    up to the order of parallel requests;
 *  - `timer`: n milliseconds after the process started, for what neither hook sees (native SQLite
 *    writes, a server-side CREATE DATABASE in progress).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { hasStackTrace, runCliAsync, type RunResult } from '../../helpers/cli.js';
import type { BugId } from './bugs.js';
import { since, tally } from './figures.js';

const HOOK = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'kill-hook.mjs')).href;

/**
 * Bugs already reported, each with a failing test marked `it.fails` that names it. What they cause is
 * counted and reported separately, so a campaign still proves there is nothing else; remove the entry
 * once the bug is fixed (its `it.fails` test then fails, as a reminder).
 *  - `leftover`: a leftover path matching it is this bug's;
 *  - otherwise the stack's `repairKnownBug` recognises the bug from a failed recovery, repairs by hand
 *    what a user would have to, and the recovery command is run again.
 */
export const KNOWN_BUGS: { id: BugId; leftover?: RegExp }[] = [
  { id: 'atomic-write-temp-orphan', leftover: /(^|\/)\.[^/]+\.\d+\.[0-9a-f]{8}\.tmp$/ },
  { id: 's3-bucket-created-before-marked' },
  { id: 'neon-delete-while-branch-initialising' },
];

export type KillPoint = { kind: 'op' | 'request' | 'timer'; at: number } | { kind: 'step'; step: string; nth: number };

export interface CrashStack {
  dir: string;
  env: string;
  /** Variables the CLI needs (fake URLs, credentials, fast retries). */
  cliEnv: Record<string, string>;
  /**
   * For `request` kill points: call `kill` when the n-th request (counting from 1 from now on) reaches
   * any server of the stack. Returns a function that disarms the hook.
   */
  onNthRequest?(n: number, kill: () => void): () => void;
  /** Requests the servers received since `mark()`. */
  requestsSince?(): number;
  mark?(): void;
  /** Everything of `env` that exists anywhere (disk, servers, fakes), for the orphan count. */
  leftovers(): Promise<string[]>;
  /** A digest of the parent's data on every backend. */
  parentChecksum(): Promise<string>;
  /** After a successful create: how the environment's data differs from the parent's (undefined: it does not). */
  childDiffers(): Promise<string | undefined>;
  /** What of the environment exists right now (a label for the tally of where kills landed). */
  phase(): Promise<string>;
  /**
   * A recovery command failed with `output`: if that is a known bug (KNOWN_BUGS), repair by hand what a
   * user would have to and return the bug's id; otherwise undefined.
   */
  repairKnownBug?(output: string): Promise<string | undefined>;
}

export interface Calibration {
  /** Wall time of one uninterrupted create, process start to exit. */
  durationMs: number;
  /** Filesystem mutations of the CLI process during that create. */
  ops: number;
  /** Their descriptions, in order. */
  sequence: string[];
  /** Requests the servers/fakes received during it. */
  requests: number;
}

export interface CrashFigures {
  killPoints: number;
  byKind: Record<string, number>;
  /** The process finished before its kill point came (a timer after the end); not counted as a kill. */
  finishedFirst: number;
  recoveredByCreate: number;
  recoveredByDelete: number;
  /** Kills that landed before anything of the environment existed (delete answered "does not exist"). */
  nothingToDelete: number;
  /** Distinct leftovers found after the recoveries, all causes. */
  orphansFound: number;
  /** Leftovers not explained by a known bug: must be empty. */
  orphans: string[];
  /** Leftovers explained by a known bug, by bug id. */
  knownBugOrphans: Record<string, number>;
  /** Recoveries that failed because of a known bug and needed a repair by hand, by bug id. */
  knownBugRepairs: Record<string, number>;
  recoveryFailures: string[];
  parentUnchanged: boolean;
  /** Where the kills landed: what existed at that instant. */
  phases: Record<string, number>;
  /** For `op` kills: the mutation the process died before. */
  diedBefore: Record<string, number>;
  calibration: Calibration;
  durationMs: number;
}

async function run(stack: CrashStack, args: string[], extra: Record<string, string> = {}): Promise<RunResult> {
  return runCliAsync(args, { cwd: stack.dir, env: { ...stack.cliEnv, ...extra } });
}

/**
 * One uninterrupted create + delete, measured: what the kill points are spread over. Done twice and the
 * faster kept: a first, cold run (empty page cache, servers warming up) can take far longer than the
 * campaign's runs, and timer points past their end never land mid-create.
 */
export async function calibrate(stack: CrashStack): Promise<Calibration> {
  const first = await calibrateOnce(stack);
  const second = await calibrateOnce(stack);
  return second.durationMs <= first.durationMs ? second : first;
}

async function calibrateOnce(stack: CrashStack): Promise<Calibration> {
  const log = path.join(os.tmpdir(), `fork-stack-oplog-${process.pid}-${Date.now()}.json`);
  stack.mark?.();
  const start = performance.now();
  const created = await run(stack, ['create', stack.env], { NODE_OPTIONS: `--import=${HOOK}`, RELIABILITY_OP_LOG: log });
  const durationMs = since(start);
  if (created.code !== 0) throw new Error(`calibration create failed (exit ${created.code}):\n${created.stdout}${created.stderr}`);
  const requests = stack.requestsSince?.() ?? 0;
  const { ops, sequence } = JSON.parse(readFileSync(log, 'utf8')) as { ops: number; sequence: string[] };
  rmSync(log, { force: true });
  const differs = await stack.childDiffers();
  if (differs) throw new Error(`calibration: the created environment does not match its parent: ${differs}`);
  const deleted = await run(stack, ['delete', stack.env, '--yes']);
  if (deleted.code !== 0) throw new Error(`calibration delete failed:\n${deleted.stderr}`);
  const left = await stack.leftovers();
  if (left.length > 0) throw new Error(`calibration: an uninterrupted create + delete left ${left.join(', ')}`);
  return { durationMs, ops, requests, sequence };
}

/**
 * Kill points before each step of the create that is not part of a bulk copy (a mutation whose kind
 * occurs at most 4 times: lock, journal writes, partial clean-up, renames, env file), `count` of them
 * evenly chosen (all when count is undefined or larger).
 */
export function stepPoints(sequence: readonly string[], count?: number): KillPoint[] {
  const shape = (d: string) => d.replace(/\d+/g, '#');
  const counts = tally(sequence.map(shape));
  const seen: Record<string, number> = {};
  const steps: KillPoint[] = [];
  for (const step of sequence) {
    seen[step] = (seen[step] ?? 0) + 1;
    if ((counts[shape(step)] ?? 0) <= 4) steps.push({ kind: 'step', step, nth: seen[step] as number });
  }
  if (count === undefined || count >= steps.length) return steps;
  return Array.from({ length: count }, (_, i) => steps[Math.floor(((i + 0.5) * steps.length) / count)] as KillPoint);
}

/** `count` points of `kind` spread evenly over 1…total (or a time span). */
export function spread(kind: 'op' | 'request' | 'timer', count: number, from: number, to: number): KillPoint[] {
  return Array.from({ length: count }, (_, i) => ({ kind, at: Math.max(1, Math.round(from + ((to - from) * (i + 0.5)) / count)) }));
}

export async function crashCampaign(stack: CrashStack, points: KillPoint[], calibration: Calibration): Promise<CrashFigures> {
  const start = performance.now();
  const parentBefore = await stack.parentChecksum();
  const figures: CrashFigures = {
    killPoints: 0,
    byKind: {},
    finishedFirst: 0,
    recoveredByCreate: 0,
    recoveredByDelete: 0,
    nothingToDelete: 0,
    orphansFound: 0,
    orphans: [],
    knownBugOrphans: {},
    knownBugRepairs: {},
    recoveryFailures: [],
    parentUnchanged: false,
    phases: {},
    diedBefore: {},
    calibration,
    durationMs: 0,
  };
  const phases: string[] = [];
  const diedBefore: string[] = [];
  const seen = new Set<string>();
  const log = path.join(os.tmpdir(), `fork-stack-oplog-${process.pid}-${Date.now()}.json`);
  /** Run a recovery command; on a known bug, repair and run it once more. */
  const recover = async (args: string[], ok: (r: RunResult) => boolean): Promise<RunResult> => {
    const result = await run(stack, args);
    if (ok(result) || !stack.repairKnownBug) return result;
    const bug = await stack.repairKnownBug(`${result.stdout}\n${result.stderr}`);
    if (bug === undefined) return result;
    figures.knownBugRepairs[bug] = (figures.knownBugRepairs[bug] ?? 0) + 1;
    return run(stack, args);
  };
  const createFinished = (r: RunResult) => r.code === 0 || (r.code === 1 && r.stderr.includes(`environment "${stack.env}" already exists`));
  const deleteFinished = (r: RunResult) => r.code === 0 || (r.code === 1 && /does not exist/.test(r.stderr));

  for (const [i, point] of points.entries()) {
    const label = point.kind === 'step' ? `#${i + 1} before "${point.step}"${point.nth > 1 ? ` (${point.nth})` : ''}` : `#${i + 1} ${point.kind}@${point.at}`;
    rmSync(log, { force: true });
    let disarm = () => {};
    const hooked = { NODE_OPTIONS: `--import=${HOOK}`, RELIABILITY_OP_LOG: log };
    const extra: Record<string, string> =
      point.kind === 'op'
        ? { ...hooked, RELIABILITY_KILL_AT_OP: String(point.at) }
        : point.kind === 'step'
        ? { ...hooked, RELIABILITY_KILL_BEFORE: point.step, RELIABILITY_KILL_NTH: String(point.nth) }
        : {};
    const child = runCliAsync(['create', stack.env], { cwd: stack.dir, env: { ...stack.cliEnv, ...extra } });
    if (point.kind === 'request') {
      if (!stack.onNthRequest) throw new Error('this stack has no request hook');
      disarm = stack.onNthRequest(point.at, () => child.child.kill('SIGKILL'));
    }
    const timer = point.kind === 'timer' ? setTimeout(() => child.child.kill('SIGKILL'), point.at) : undefined;
    const killed = await child;
    clearTimeout(timer);
    disarm();

    if (killed.signal !== 'SIGKILL') {
      // The run ended before its kill point: it must then have succeeded.
      if (killed.code !== 0) {
        const bug = await stack.repairKnownBug?.(`${killed.stdout}\n${killed.stderr}`);
        if (bug) figures.knownBugRepairs[bug] = (figures.knownBugRepairs[bug] ?? 0) + 1;
        else figures.recoveryFailures.push(`${label}: create ended by itself with exit ${killed.code}: ${killed.stderr.trim()}`);
      }
      figures.finishedFirst++;
    } else {
      figures.killPoints++;
      figures.byKind[point.kind] = (figures.byKind[point.kind] ?? 0) + 1;
      phases.push(await stack.phase());
      if (point.kind === 'op' || point.kind === 'step') {
        try {
          diedBefore.push((JSON.parse(readFileSync(log, 'utf8')) as { before: string }).before);
        } catch {
          diedBefore.push('unknown');
        }
      }
    }

    const resume = i % 2 === 0 || killed.signal !== 'SIGKILL';
    if (resume && killed.signal === 'SIGKILL') {
      const again = await recover(['create', stack.env], createFinished);
      if (!createFinished(again) || hasStackTrace(again.stderr)) {
        figures.recoveryFailures.push(`${label}: re-run create exited ${again.code}: ${again.stderr.trim()}`);
      } else {
        const differs = await stack.childDiffers();
        if (differs) figures.recoveryFailures.push(`${label}: re-run create finished, but the environment differs from the parent: ${differs}`);
        else figures.recoveredByCreate++;
      }
    }
    const deleted = await recover(['delete', stack.env, '--yes'], deleteFinished);
    if (deleted.code === 0) {
      if (!resume) figures.recoveredByDelete++;
    } else if (deleted.code === 1 && /does not exist/.test(deleted.stderr) && !resume) {
      figures.nothingToDelete++;
    } else {
      figures.recoveryFailures.push(`${label}: delete exited ${deleted.code}: ${deleted.stderr.trim()}`);
    }
    if (hasStackTrace(deleted.stderr)) figures.recoveryFailures.push(`${label}: delete printed a stack trace`);
    for (const left of await stack.leftovers()) {
      if (seen.has(left)) continue;
      seen.add(left);
      figures.orphansFound++;
      const bug = KNOWN_BUGS.find((b) => b.leftover?.test(left));
      if (bug) figures.knownBugOrphans[bug.id] = (figures.knownBugOrphans[bug.id] ?? 0) + 1;
      else figures.orphans.push(`${label} (killed at: ${phases.at(-1) ?? 'finished first'}): ${left}`);
    }
  }
  rmSync(log, { force: true });
  figures.parentUnchanged = (await stack.parentChecksum()) === parentBefore;
  figures.phases = tally(phases);
  figures.diedBefore = tally(diedBefore);
  figures.durationMs = since(start);
  return figures;
}
