/**
 * Interactive pieces: a spinner that shows each resource's progress during long operations, and
 * confirmation prompts. Both only on a terminal; in CI, in pipes and with --json they stay silent
 * (plain per-resource lines on stderr instead of a spinner, unless --json).
 */
import type { Reporter } from '../engine/context.js';
import type { ProgressUpdate } from '../providers/types.js';
import { OperationError, UsageError } from '../core/errors.js';
import { formatBytes, hookOutput, type Output } from './output.js';
import { startSpinner } from './spinner.js';

export function interactive(out: Output, env: NodeJS.ProcessEnv = process.env): boolean {
  return !out.machine && Boolean(out.stderr.isTTY) && Boolean(process.stdin.isTTY) && !env.CI;
}

interface SlotLine {
  state: 'running' | 'done' | 'failed';
  text: string;
}

function describeProgress(p: ProgressUpdate | undefined): string {
  if (!p) return '';
  const parts: string[] = [];
  if (p.done !== undefined) parts.push(p.total !== undefined ? `${p.done}/${p.total} ${p.unit ?? ''}`.trim() : `${p.done} ${p.unit ?? ''}`.trim());
  if (p.bytes !== undefined) parts.push(formatBytes(p.bytes));
  const head = p.message ?? '';
  return parts.length ? `${head}${head ? ' ' : ''}(${parts.join(', ')})` : head;
}

export interface ProgressReporter extends Reporter {
  stop(ok: boolean): void;
}

/** A Reporter that draws one spinner line summarising every slot, or prints per-slot lines off a TTY. */
export async function progressReporter(out: Output, title: string): Promise<ProgressReporter> {
  const lines = new Map<string, SlotLine>();
  const warnings: string[] = [];
  if (!interactive(out)) {
    return {
      slot(slot, event) {
        if (event.phase === 'done') out.info(`  ${out.c.green('✓')} ${slot}${event.message ? `: ${event.message}` : ''}`);
        if (event.phase === 'failed' && event.message !== 'stopped') out.info(`  ${out.c.red('✗')} ${slot}`);
      },
      warn: (m) => out.warn(m),
      info: (m) => out.info(m),
      output: hookOutput(out),
      stop() {},
    };
  }
  const spin = startSpinner(out.stderr, title);
  const render = () => {
    const parts = [...lines.entries()].map(([slot, l]) => {
      const mark = l.state === 'done' ? out.c.green('✓') : l.state === 'failed' ? out.c.red('✗') : '…';
      return `${slot} ${mark}${l.state === 'running' && l.text ? ` ${l.text}` : ''}`;
    });
    return `${title}  ${parts.join('  ')}`;
  };
  return {
    slot(slot, event) {
      const line = lines.get(slot) ?? { state: 'running', text: '' };
      if (event.phase === 'start') line.text = event.message ?? '';
      if (event.phase === 'progress') line.text = describeProgress(event.progress);
      if (event.phase === 'done') line.state = 'done';
      if (event.phase === 'failed') line.state = 'failed';
      lines.set(slot, line);
      spin.message(render());
    },
    warn: (m) => warnings.push(m),
    info: (m) => spin.message(`${title}  ${m}`),
    output: hookOutput(out, true),
    stop(ok) {
      spin.stop(ok ? out.c.green('◇') : out.c.red('■'), render());
      for (const w of warnings) out.warn(w);
      warnings.length = 0;
    },
  };
}

/**
 * Run one @clack/prompts prompt and return its answer. A prompt puts stdin in raw mode, so Ctrl-C arrives
 * as the 0x03 keypress, which the prompt turns into "cancel": that keypress is handed to the CLI's own
 * interrupt path (the SIGINT handler in cli.ts, exit 130). Any other cancel (Escape) is a refusal: an
 * OperationError with `refused` (exit 1).
 */
export async function answer<T>(prompt: () => Promise<T>, refused: string): Promise<Exclude<T, symbol>> {
  const { isCancel } = await import('@clack/prompts');
  let ctrlC = false;
  const onKey = (_: unknown, key?: { sequence?: string; ctrl?: boolean; name?: string }) => {
    if (key?.sequence === '\x03' || (key?.ctrl && key.name === 'c')) ctrlC = true;
  };
  process.stdin.on('keypress', onKey);
  let value: T;
  try {
    value = await prompt();
  } finally {
    process.stdin.off('keypress', onKey);
  }
  if (isCancel(value)) {
    if (ctrlC) process.emit('SIGINT', 'SIGINT');
    throw new OperationError(refused);
  }
  return value as Exclude<T, symbol>;
}

/**
 * Ask yes/no on a terminal; off a terminal the caller must have passed --yes. Anything but yes throws
 * an OperationError with `refused` (exit 1; 130 when the answer was Ctrl-C).
 */
export async function confirm(out: Output, question: string, flagHint: string, refused: string): Promise<void> {
  if (!interactive(out)) {
    throw new UsageError(`refusing to ${question.replace(/\?$/, '')} without confirmation: stdin is not a terminal`, { hint: `Pass ${flagHint} to confirm in scripts.` });
  }
  const { confirm: ask } = await import('@clack/prompts');
  const yes = await answer(() => ask({ message: question, initialValue: false, output: out.stderr }), refused);
  if (yes !== true) throw new OperationError(refused, { hint: `Answer yes, or pass ${flagHint}.` });
}
