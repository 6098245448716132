import path from 'node:path';
import { installHook, onCheckout, spawnDetached, uninstallHook } from '../../engine/hook.js';
import type { CliContext } from '../context.js';

/** How the hook calls this CLI back: the same node and the same script, by absolute path. */
function selfCommand(): string[] {
  return [process.execPath, path.resolve(process.argv[1] ?? 'fork-stack')];
}

export async function install(cli: CliContext): Promise<void> {
  const result = await installHook(cli.cwd, selfCommand());
  await cli.out.result({
    data: result,
    human: (r) => cli.out.success(`${r.alreadyInstalled ? 'updated' : 'installed'} ${r.file}${r.chained ? ' (the hook that was there runs first)' : ''}`),
  });
}

export async function uninstall(cli: CliContext): Promise<void> {
  const result = await uninstallHook(cli.cwd);
  await cli.out.result({
    data: result,
    human: (r) => {
      if (!r.removed) cli.out.info(`no fork-stack hook in ${r.file}`);
      else cli.out.success(`removed ${r.file}${r.restored ? ' and restored the hook it chained' : ''}`);
    },
  });
}

/** Called by the hook after a branch checkout. Never fails: one warning line at most. */
export async function runFromHook(cli: CliContext): Promise<void> {
  try {
    const engine = await cli.engine();
    const outcome = await onCheckout(engine, cli.cwd, (args, log) => spawnDetached(selfCommand(), args, engine.config.root, log));
    if (outcome.action === 'switched') cli.out.info(`fork-stack: switched to ${outcome.env} (branch ${outcome.branch})`);
    if (outcome.action === 'creating') cli.out.info(`fork-stack: creating ${outcome.env} for branch ${outcome.branch} in the background (log: ${path.relative(cli.cwd, outcome.log)})`);
    if (outcome.action === 'missing') cli.out.info(`fork-stack: branch ${outcome.branch} has no environment; run "fork-stack create ${outcome.env} --switch" (or set [git] auto_create = true)`);
  } catch (error) {
    cli.out.stderr.write(`fork-stack: warning: ${(error as Error).message.split('\n')[0]}\n`);
  }
}
