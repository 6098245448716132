/**
 * Git-branch environments: a post-checkout hook that switches fork-stack to the checked-out branch's
 * environment (creating it first, in the background, when [git] auto_create is on).
 *
 * The hook never replaces a hook that was there: it moves it aside and runs it first, keeping its exit
 * status; `hook uninstall` puts it back. It never blocks or fails a checkout: switching an existing
 * environment is quick and errors become one warning line; creating one runs detached, logging to
 * .fork-stack/logs/.
 */
import { spawn } from 'node:child_process';
import { openSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { OperationError, UsageError } from '../core/errors.js';
import { readFileIfExists } from '../core/files/atomic.js';
import { currentBranch, hooksDir } from '../core/git.js';
import type { Engine } from './context.js';
import { envForBranch } from './branch-env.js';
import { findAll } from './find.js';
import { switchEnvironment } from './switch.js';
import { currentEnv } from './current.js';

export const HOOK_MARKER = '# fork-stack post-checkout hook';
const CHAINED = 'post-checkout.fork-stack-chained';

function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function hookScript(command: readonly string[]): string {
  return `#!/bin/sh
${HOOK_MARKER}: switches the fork-stack environment to the checked-out branch's.
# Installed by "fork-stack hook install"; "fork-stack hook uninstall" removes it (and restores a hook it chained).
hook_dir=$(dirname "$0")
status=0
if [ -x "$hook_dir/${CHAINED}" ]; then
  "$hook_dir/${CHAINED}" "$@" || status=$?
fi
# $3 is 1 when a branch was checked out (0 for a file checkout). fork-stack never fails the checkout.
if [ "$3" = "1" ]; then
  ${command.map(shQuote).join(' ')} hook run || true
fi
exit $status
`;
}

async function locate(cwd: string): Promise<string> {
  const dir = await hooksDir(cwd);
  if (!dir) throw new UsageError(`${cwd} is not inside a git repository`, { hint: 'Run "git init" first, or run this in your project checkout.' });
  return dir;
}

export interface HookInstallResult {
  file: string;
  chained: boolean;
  alreadyInstalled: boolean;
}

export async function installHook(cwd: string, command: readonly string[]): Promise<HookInstallResult> {
  const dir = await locate(cwd);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'post-checkout');
  const existing = await readFileIfExists(file);
  let chained = false;
  if (existing !== undefined && !existing.includes(HOOK_MARKER)) {
    const chainedFile = path.join(dir, CHAINED);
    if ((await readFileIfExists(chainedFile)) !== undefined) {
      throw new OperationError(`both ${file} and ${chainedFile} exist and neither is fork-stack's`, { hint: `Merge them by hand, then run "fork-stack hook install" again.` });
    }
    await fs.rename(file, chainedFile);
    chained = true;
  } else if (existing !== undefined) {
    chained = (await readFileIfExists(path.join(dir, CHAINED))) !== undefined;
  }
  await fs.writeFile(file, hookScript(command), { mode: 0o755 });
  await fs.chmod(file, 0o755);
  return { file, chained, alreadyInstalled: existing?.includes(HOOK_MARKER) ?? false };
}

export async function uninstallHook(cwd: string): Promise<{ file: string; removed: boolean; restored: boolean }> {
  const dir = await locate(cwd);
  const file = path.join(dir, 'post-checkout');
  const existing = await readFileIfExists(file);
  if (existing === undefined || !existing.includes(HOOK_MARKER)) return { file, removed: false, restored: false };
  await fs.rm(file);
  const chainedFile = path.join(dir, CHAINED);
  const restored = (await readFileIfExists(chainedFile)) !== undefined;
  if (restored) await fs.rename(chainedFile, file);
  return { file, removed: true, restored };
}

export type CheckoutOutcome =
  | { action: 'none'; reason: string }
  | { action: 'switched'; env: string; branch: string }
  | { action: 'creating'; env: string; branch: string; log: string }
  | { action: 'missing'; env: string; branch: string };

/** What the hook does after a checkout in `cwd`; `spawnCreate` starts the background create. */
export async function onCheckout(engine: Engine, cwd: string, spawnCreate: (args: string[], log: string) => void): Promise<CheckoutOutcome> {
  const branch = await currentBranch(cwd);
  if (!branch) return { action: 'none', reason: 'HEAD is detached' };
  const env = await envForBranch(engine, branch);
  if (currentEnv(engine.config, {}) === env) return { action: 'none', reason: `already on ${env}` };
  const slots = await engine.slots();
  const found = await findAll(slots, env);
  if (found.every((r) => r !== undefined)) {
    await switchEnvironment(engine, env);
    return { action: 'switched', env, branch };
  }
  if (!engine.config.git.autoCreate) return { action: 'missing', env, branch };
  const logDir = path.join(engine.config.paths.stateDir, 'logs');
  await fs.mkdir(logDir, { recursive: true });
  const log = path.join(logDir, `hook-${env}.log`);
  // Not --switch: by the time the create ends the user may have checked out another branch, whose
  // environment must stay current (see stillOnBranch).
  spawnCreate(['create', env, '--from', engine.config.git.parent, '--switch-if-on-branch', branch, '--git-branch', branch], log);
  return { action: 'creating', env, branch, log };
}

/**
 * Whether the checkout at `root` still has `branch` checked out: the background create switches only then,
 * so a create that finishes after the user moved on never pulls them back to the old branch's environment.
 */
export async function stillOnBranch(root: string, branch: string): Promise<{ still: boolean; now: string | undefined }> {
  const now = await currentBranch(root);
  return { still: now === branch, now };
}

/** Start `fork-stack <args>` detached from the checkout, output to `log`. */
export function spawnDetached(command: readonly string[], args: string[], cwd: string, log: string): void {
  const out = openSync(log, 'a');
  const [file, ...rest] = command as [string, ...string[]];
  const env = { ...process.env };
  delete env.FORK_STACK_ENV;
  delete env.ENV;
  const child = spawn(file, [...rest, ...args], { cwd, detached: true, stdio: ['ignore', out, out], env });
  child.unref();
}
