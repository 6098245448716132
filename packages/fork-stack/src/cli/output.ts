/**
 * One writer for every output format (docs/architecture.md): a command describes its result once — the
 * data, and how a person sees it — and `result()` prints it as a table/text, JSON or YAML (neonctl's
 * writer does the same). Logs, warnings and progress go to stderr. Colours only on a terminal, never
 * with NO_COLOR, --no-color or a machine format.
 */
import picocolors from 'picocolors';
import { scrub } from '../core/scrub.js';
import { OUTPUT_FORMATS, type OutputFormat } from './formats.js';

export { OUTPUT_FORMATS, type OutputFormat };

export interface OutputOptions {
  format: OutputFormat;
  color?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export type Colors = ReturnType<typeof picocolors.createColors>;

/** A command's result, described once. */
export interface View<T> {
  /** What `--output json|yaml` (and `--json`) print. */
  data: T;
  /** How a person sees it (`--output table`, the default): tables and lines through the Output. */
  human: (data: T) => void;
  /** Print the data unscrubbed: only values the user asked to see (`--reveal`, `secrets get`). */
  raw?: boolean;
}

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if ('NO_COLOR' in env && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export class Output {
  readonly format: OutputFormat;
  /** A machine format (json, yaml): data only on stdout, no narration, no colours. */
  readonly machine: boolean;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Colours for stderr (messages). */
  readonly c: Colors;
  /** Colours for stdout (tables). */
  readonly co: Colors;

  constructor(options: OutputOptions) {
    this.format = options.format;
    this.machine = options.format !== 'table';
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    const allow = options.color !== false && !this.machine;
    this.c = picocolors.createColors(allow && colorEnabled(this.stderr));
    this.co = picocolors.createColors(allow && colorEnabled(this.stdout));
  }

  /** The one way a command prints its result, in the format the user chose. */
  async result<T>(view: View<T>): Promise<void> {
    if (this.machine) await this.data(view.data, view.raw);
    else view.human(view.data);
  }

  /** Data for scripts on stdout: JSON, or YAML with --output yaml (loaded only then). */
  async data(value: unknown, raw = false): Promise<void> {
    const text = this.format === 'yaml' ? (await import('yaml')).stringify(value, { lineWidth: 0 }) : `${JSON.stringify(value, null, 2)}\n`;
    this.write(this.stdout, text, raw);
  }

  /** An error, the same way whatever command failed: a message with details and a hint on stderr. */
  error(message: string, details: string[] = [], hint?: string): void {
    const lines = [`${this.c.red('error:')} ${message}`];
    for (const d of details) lines.push(`  ${d.split('\n').join('\n  ')}`);
    if (hint) lines.push(`${this.c.dim('hint:')} ${hint}`);
    this.write(this.stderr, `${lines.join('\n')}\n`);
  }

  /** Everything printed passes through scrub(): secret values registered so far never reach the terminal. */
  write(stream: NodeJS.WriteStream, text: string, raw = false): void {
    stream.write(raw ? text : scrub(text));
  }

  /** A line of data on stdout. `raw` skips scrubbing (only for values the user asked to reveal). */
  line(text = '', raw = false): void {
    this.write(this.stdout, `${text}\n`, raw);
  }

  /** Progress and narration on stderr (silent with --json). */
  info(text: string): void {
    if (!this.machine) this.write(this.stderr, `${text}\n`);
  }

  success(text: string): void {
    if (!this.machine) this.write(this.stderr, `${this.c.green('✓')} ${text}\n`);
  }

  warn(text: string): void {
    this.write(this.stderr, `${this.c.yellow('warning:')} ${text}\n`);
  }

  table(columns: string[], rows: string[][]): void {
    const widths = columns.map((c, i) => Math.max(visibleLength(c), ...rows.map((r) => visibleLength(r[i] ?? ''))));
    const fmt = (cells: string[]) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell))))
        .join('  ')
        .trimEnd();
    this.line(this.co.bold(fmt(columns)));
    for (const row of rows) this.line(fmt(row));
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86400 * 2) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

export { formatBytes } from '../core/format.js';

/**
 * A hook's output line (already scrubbed by the engine), prefixed with the hook's name, on stderr also
 * with --json (stdout stays the result; CI logs keep what a migration printed). On a terminal the
 * spinner's line is cleared first; the spinner redraws below it.
 */
export function hookOutput(out: Output, spinning = false): (hook: string, line: string) => void {
  return (hook, line) => out.stderr.write(`${spinning ? '\r\x1b[2K' : ''}${out.c.dim(`[${hook}]`)} ${line}\n`);
}
