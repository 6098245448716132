/**
 * Lifecycle hooks ([hooks] in fork-stack.toml, docs/hooks.md): shell commands run at points of an
 * environment's life, each like an npm script — the platform shell (`sh -c`, cmd.exe on Windows) with
 * the project root as cwd and the environment's variables plus FORK_STACK_ENV, FORK_STACK_PARENT and
 * FORK_STACK_HOOK. Commands run in order and the first failure stops the hook. Output is streamed line by
 * line through the reporter, scrubbed of secret values like all other output.
 *
 * Hand-written on node:child_process rather than with execa: what is needed is `shell: true`, a process
 * group to signal and line splitting (node:readline), which Node has; a dependency would add nothing.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { HookName } from '../core/config-schema.js';
import { OperationError } from '../core/errors.js';
import { scrub } from '../core/scrub.js';
import { readMeta, writeMeta, type HookState } from '../core/state.js';
import type { Engine } from './context.js';
import { runVariablesGuards } from './guards.js';
import { isProtected } from './protect.js';
import type { ResolvedVariables } from './variables.js';

export interface HookCommandResult {
  command: string;
  /** null when the command did not start or was killed by a signal. */
  exitCode: number | null;
  signal?: string;
  durationMs: number;
}

export interface HookRun {
  hook: HookName;
  ok: boolean;
  /** Set when the hook did not run at all (--no-hooks, a root or protected environment). */
  skipped?: string;
  /** Index of the first command run (a resumed hook starts at the one that failed). */
  from: number;
  commands: HookCommandResult[];
  durationMs: number;
  interrupted?: boolean;
}

export interface HookTarget {
  env: string;
  parent?: string;
  variables: ResolvedVariables;
  /** Start at this command (resuming a failed hook). */
  from?: number;
}

/** Why hooks never run for this environment, or undefined when they may. */
export function hookRefusal(engine: Engine, env: string): string | undefined {
  if (engine.config.roots.includes(env)) return `"${env}" is a root environment: hooks never run against a root's resources`;
  if (isProtected(engine.config, env)) return `"${env}" is protected: hooks never run against a protected environment's resources`;
  return undefined;
}

export function skippedHook(hook: HookName, reason: string): HookRun {
  return { hook, ok: true, skipped: reason, from: 0, commands: [], durationMs: 0 };
}

/** Grace a hook gets to stop after the interrupt is forwarded to its process group, before SIGKILL. */
const KILL_AFTER_MS = 5_000;

/** Run one hook's commands in order; stops at the first that fails. Never throws for a failing command. */
export async function runHook(engine: Engine, hook: HookName, target: HookTarget): Promise<HookRun> {
  const commands = engine.config.hooks[hook];
  const from = target.from ?? 0;
  const started = performance.now();
  const results: HookCommandResult[] = [];
  let ok = true;
  for (const command of commands.slice(from)) {
    if (engine.signal.aborted) {
      ok = false;
      break;
    }
    engine.reporter.info(`${hook}: ${command}`);
    const result = await runCommand(engine, hook, command, target);
    results.push(result);
    if (result.exitCode !== 0) {
      ok = false;
      break;
    }
  }
  return { hook, ok, from, commands: results, durationMs: Math.round(performance.now() - started), interrupted: engine.signal.aborted || undefined };
}

function runCommand(engine: Engine, hook: HookName, command: string, target: HookTarget): Promise<HookCommandResult> {
  const started = performance.now();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(engine.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, target.variables.values, { FORK_STACK_ENV: target.env, FORK_STACK_PARENT: target.parent ?? '', FORK_STACK_HOOK: hook });
  const emit = (line: string, stream: 'stdout' | 'stderr') => {
    const clean = scrub(line);
    if (engine.reporter.output) engine.reporter.output(hook, clean, stream);
    else engine.reporter.info(`[${hook}] ${clean}`);
  };
  const done = (exitCode: number | null, signal?: string): HookCommandResult => ({ command, exitCode, signal, durationMs: Math.round(performance.now() - started) });
  const groups = process.platform !== 'win32';
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      // detached: its own process group, so an interrupt reaches the shell and everything it started.
      child = spawn(command, { shell: true, cwd: engine.config.root, env, detached: groups, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      emit(`could not start: ${(error as Error).message}`, 'stderr');
      resolve(done(null));
      return;
    }
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        if (groups && child.pid !== undefined) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // Already gone.
      }
    };
    const onAbort = () => {
      const reason = engine.signal.reason instanceof Error ? engine.signal.reason.message : String(engine.signal.reason);
      signalGroup(reason.includes('SIGTERM') ? 'SIGTERM' : 'SIGINT');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_AFTER_MS);
      killTimer.unref();
    };
    engine.signal.addEventListener('abort', onAbort, { once: true });
    if (engine.signal.aborted) onAbort();
    const lines = (stream: Readable | null, name: 'stdout' | 'stderr') => {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => emit(line, name));
    };
    lines(child.stdout, 'stdout');
    lines(child.stderr, 'stderr');
    child.on('error', (error) => emit(`could not start: ${error.message}`, 'stderr'));
    child.on('close', (code, signal) => {
      engine.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolve(done(code, signal ?? undefined));
    });
  });
}

/** The journal's record of a hook run (metadata of the environment). */
export function hookState(run: HookRun, now: Date): HookState {
  const failed = run.ok ? undefined : run.commands.at(-1);
  return {
    state: run.ok ? 'succeeded' : 'failed',
    failedIndex: run.ok ? undefined : run.from + Math.max(0, run.commands.length - 1),
    failedCommand: failed?.command,
    exitCode: failed?.exitCode,
    finishedAt: now.toISOString(),
  };
}

/** Write the hook's outcome into the environment's journal entry, if it has one. */
export async function recordHook(engine: Engine, env: string, run: HookRun, status?: 'failed' | 'ready'): Promise<void> {
  if (run.skipped) return;
  const meta = await readMeta(engine.config.paths, env);
  if (!meta) return;
  await writeMeta(engine.config.paths, { ...meta, ...(status ? { status } : {}), hooks: { ...meta.hooks, [run.hook]: hookState(run, engine.now()) } });
}

/** "after_create failed: `npm run seed` exited with 1" and the details of each command run. */
export function describeHookFailure(run: HookRun): { message: string; details: string[] } {
  const last = run.commands.at(-1);
  const how = !last
    ? 'was interrupted before its next command'
    : last.signal
      ? `\`${last.command}\` was stopped by ${last.signal}`
      : last.exitCode === null
        ? `\`${last.command}\` could not start`
        : `\`${last.command}\` exited with ${last.exitCode}`;
  return {
    message: `hook ${run.hook} failed: ${how}`,
    details: run.commands.map((c) => `${c.exitCode === 0 ? 'ok' : 'failed'}  ${c.command}  (exit ${c.exitCode ?? c.signal ?? 'none'}, ${c.durationMs} ms)`),
  };
}

/**
 * Run a hook for an environment whose operation is otherwise done (after_reset, after_switch): a
 * failure is recorded in the journal and thrown (exit 1), naming how to run it again.
 */
export async function runAndRecord(engine: Engine, hook: HookName, target: HookTarget, skip?: string): Promise<HookRun | undefined> {
  const refusal = skip ?? hookRefusal(engine, target.env);
  if (engine.config.hooks[hook].length === 0) return undefined;
  if (refusal) {
    engine.reporter.info(`not running ${hook}: ${refusal}`);
    return skippedHook(hook, refusal);
  }
  // The prod guard applies to the variables a hook receives (docs/hooks.md), whatever ran it before.
  await runVariablesGuards(engine, target.variables);
  const run = await runHook(engine, hook, target);
  await recordHook(engine, target.env, run);
  if (!run.ok) {
    const { message, details } = describeHookFailure(run);
    throw Object.assign(new OperationError(message, { details, hint: `Fix it, then run "fork-stack hooks run ${hook} --env ${target.env}".` }), { hookRun: run });
  }
  return run;
}
