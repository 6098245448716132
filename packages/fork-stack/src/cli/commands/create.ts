import { createEnvironment } from '../../engine/create.js';
import { stillOnBranch } from '../../engine/hook.js';
import { switchEnvironment } from '../../engine/switch.js';
import { UsageError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import type { CliContext } from '../context.js';
import type { Flags } from '../program.js';
import { progressReporter } from '../ui.js';
import { reportEnvLocal } from './switch.js';
import { reportHookRun } from './hooks.js';

export function parseTime(value: string, flag: string): Date {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not an RFC 3339 time`, { hint: `Example: ${flag} 2026-11-24T09:30:00Z` });
  }
  return new Date(ms);
}

export async function run(cli: CliContext, env: string, flags: Flags<'create'>): Promise<void> {
  const at = flags.at ? parseTime(flags.at, '--at') : undefined;
  if (flags.atBestEffort && !at) throw new UsageError('--at-best-effort needs --at <time>');
  const ttlMs = flags.ttl === undefined ? undefined : flags.ttl === 'never' ? null : parseDuration(flags.ttl, '--ttl');
  const reporter = await progressReporter(cli.out, `creating ${env}`);
  const engine = await cli.engine(reporter);
  let result;
  try {
    result = await createEnvironment(engine, { env, from: flags.from, at, atBestEffort: flags.atBestEffort, ttlMs, keepPartial: flags.keepPartial, gitBranch: flags.gitBranch, reuse: flags.reuse, resume: flags.resume, runOptions: { terminateConnections: flags.terminateConnections, data: flags.data }, noHooks: !flags.hooks });
    reporter.stop(true);
  } catch (error) {
    reporter.stop(false);
    throw error;
  }
  let switched = false;
  let notSwitched: string | undefined;
  if (!flags.switch && flags.switchIfOnBranch !== undefined) {
    const branch = await stillOnBranch(engine.config.root, flags.switchIfOnBranch);
    if (!branch.still) notSwitched = `not switching to ${env}: the checkout is now on ${branch.now === undefined ? 'a detached HEAD' : `branch ${branch.now}`}, not ${flags.switchIfOnBranch}`;
  }
  if (flags.switch || (flags.switchIfOnBranch !== undefined && notSwitched === undefined)) {
    const s = await switchEnvironment(engine, env);
    reportEnvLocal(cli, s.envLocal);
    switched = true;
  }
  const { out } = cli;
  await out.result({
    data: {
      env: result.env,
      parent: result.parent,
      resumed: result.resumed,
      reused: result.reused,
      switched,
      resources: result.resources,
      variables: Object.keys(result.variables.values),
      ...(result.hooks ? { hooks: result.hooks } : {}),
    },
    human: () => {
      if (result.reused) out.success(`${out.c.bold(env)} exists already: using it as it is (--reuse)`);
      else out.success(`created ${out.c.bold(env)} from ${result.parent}${result.resumed ? ' (finished an interrupted create)' : ''}`);
      reportHookRun(out, result.hooks);
      if (switched) out.success(`switched to ${env}`);
      else if (notSwitched) out.info(notSwitched);
      else out.info(`  next: fork-stack switch ${env}`);
    },
  });
}
