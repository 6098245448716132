/** reset, gc and diff: commands over the environment lifecycle. */
import { collectGarbage } from '../../engine/gc.js';
import { diffEnvironments, type DiffResult, type SlotDiff } from '../../engine/diff.js';
import { resetEnvironment } from '../../engine/reset.js';
import { parseDuration } from '../../core/duration.js';
import { OperationError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import type { Flags } from '../program.js';
import { formatBytes } from '../output.js';
import { confirm, progressReporter } from '../ui.js';
import { reportHookRun } from './hooks.js';

export async function reset(cli: CliContext, env: string, flags: Flags<'reset'>): Promise<void> {
  const reporter = await progressReporter(cli.out, `resetting ${env}`);
  const engine = await cli.engine(reporter);
  if (!flags.yes) {
    reporter.stop(true);
    await confirm(cli.out, `reset "${env}" to a fresh fork of its parent (its changes are lost)?`, '--yes', 'not confirmed: nothing changed');
  }
  let result;
  try {
    result = await resetEnvironment(engine, env, flags.from, { noHooks: !flags.hooks });
    reporter.stop(true);
  } catch (error) {
    reporter.stop(false);
    throw error;
  }
  await cli.out.result({
    data: result,
    human: (r) => {
      cli.out.success(`reset ${env} from ${r.parent}${r.native.length ? ` (native: ${r.native.join(', ')})` : ''}`);
      reportHookRun(cli.out, r.hooks);
    },
  });
}

export async function gc(cli: CliContext, flags: Flags<'gc'>): Promise<void> {
  const olderThanMs = flags.olderThan ? parseDuration(flags.olderThan, '--older-than') : undefined;
  const engine = await cli.engine();
  if (!flags.dryRun && !flags.yes) {
    const preview = await collectGarbage(engine, { ...flags, olderThanMs, dryRun: true });
    const doomed = preview.entries.filter((e) => e.action === 'would delete');
    if (doomed.length > 0) await confirm(cli.out, `delete ${doomed.map((e) => e.env).join(', ')}?`, '--yes', 'not confirmed: nothing was deleted');
  }
  const result = await collectGarbage(engine, { ...flags, olderThanMs });
  const { out } = cli;
  await out.result({
    data: result,
    human: (r) => {
      if (r.entries.length === 0) out.info('nothing to collect');
      else out.table(['ENV', 'REASON', 'ACTION'], r.entries.map((e) => [e.env, e.reason, `${e.action}${e.detail ? ` (${e.detail})` : ''}`]));
    },
  });
  const failed = result.entries.filter((e) => e.action === 'failed');
  if (failed.length) throw new OperationError(`gc could not delete ${failed.map((e) => e.env).join(', ')}`);
}

function describeSlot(d: SlotDiff): string[] {
  if (d.compared === false) return [`  not compared (${d.provider} cannot describe its resources)`];
  const lines: string[] = [];
  if (d.secrets) {
    for (const k of d.secrets.added) lines.push(`  + ${k}`);
    for (const k of d.secrets.removed) lines.push(`  - ${k}`);
    for (const k of d.secrets.changed) lines.push(`  ~ ${k} (value differs)`);
  }
  if (d.schema) {
    for (const t of d.schema.tablesAdded) lines.push(`  + table ${t}`);
    for (const t of d.schema.tablesRemoved) lines.push(`  - table ${t}`);
    for (const c of d.schema.columns) {
      for (const col of c.added) lines.push(`  + column ${c.table}.${col}`);
      for (const col of c.removed) lines.push(`  - column ${c.table}.${col}`);
      for (const ch of c.changed) lines.push(`  ~ column ${c.table}.${ch.column}: ${ch.from} → ${ch.to}`);
    }
    for (const i of d.schema.indexesAdded) lines.push(`  + index ${i}`);
    for (const i of d.schema.indexesRemoved) lines.push(`  - index ${i}`);
  }
  if (d.objects && !d.same) lines.push(`  objects ${d.objects.a.count} (${formatBytes(d.objects.a.bytes)}) → ${d.objects.b.count} (${formatBytes(d.objects.b.bytes)})`);
  if (d.keys && d.keys.a !== d.keys.b) lines.push(`  keys ${d.keys.a} → ${d.keys.b}`);
  return lines.length ? lines : ['  same'];
}

export async function diff(cli: CliContext, a: string, b: string): Promise<void> {
  const engine = await cli.engine();
  const result = await diffEnvironments(engine, a, b);
  await cli.out.result({ data: result, human: (r) => describeDiff(cli, a, b, r) });
}

function describeDiff(cli: CliContext, a: string, b: string, result: DiffResult): void {
  const anyDifference = result.slots.some((d) => d.same === false);
  const summary = result.same
    ? ': no differences'
    : !anyDifference && result.notCompared.length
      ? `: no differences in what was compared; not compared: ${result.notCompared.join(', ')}`
      : '';
  cli.out.line(`${a} → ${b}${summary}`);
  for (const d of result.slots) {
    cli.out.line(`${cli.out.co.bold(d.slot)} (${d.provider})`);
    for (const line of describeSlot(d)) cli.out.line(line);
  }
}
