#!/usr/bin/env node
/**
 * Entry point: the only place that calls process.exit. Expected errors print one clear message (and a
 * hint) with exit code 2 for usage/config and 1 for failed operations; nothing prints a stack trace
 * unless FORK_STACK_DEBUG=1.
 */
import { cliContext, type GlobalOptions } from './cli/context.js';
import { outputFormat } from './cli/formats.js';
import { Output } from './cli/output.js';
import { parseFast, runFast } from './cli/fast-path.js';
import { isForkStackError } from './core/errors.js';
import { fsError, isFsError } from './core/files/os-error.js';
import { scrub } from './core/scrub.js';
import { quietSdkNotices } from './cli/process-env.js';

quietSdkNotices();

const controller = new AbortController();
let exitCode = 0;
let interrupted = 0;
/** The first interrupting signal: the exit code is 130 (SIGINT) or 143 (SIGTERM) whatever the command did. */
let interruptedBy: NodeJS.Signals | undefined;
const signalExit = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 130 : 143);

/**
 * SIGINT (Ctrl-C on a terminal, or the 0x03 keypress a prompt in raw mode hands over, see cli/ui.ts) and
 * SIGTERM stop the running operation through the abort signal: it rolls back its part and releases its
 * lock, then the process exits 130/143. A second one quits at once.
 */
function onInterrupt(signal: NodeJS.Signals) {
  // `run` forwards signals to its child with a handler of its own: the child decides, and its exit code
  // is fork-stack's.
  if (process.listenerCount(signal) > 1) return;
  interrupted++;
  interruptedBy ??= signal;
  if (interrupted > 1) process.exit(signalExit(interruptedBy));
  // First Ctrl-C: let the running operation stop and roll back cleanly.
  process.stderr.write(`\n${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping and cleaning up (press Ctrl-C again to quit at once)\n`);
  controller.abort(new Error(`interrupted by ${signal}`));
}

/** The output flags as given before `--`: errors raised before or while commander parses still honour them. */
function outputFlags(argv: string[]): GlobalOptions {
  const dashdash = argv.indexOf('--');
  const args = dashdash < 0 ? argv : argv.slice(0, dashdash);
  const globals: GlobalOptions = {};
  args.forEach((arg, i) => {
    if (arg === '--json') globals.json = true;
    else if (arg === '--no-color') globals.color = false;
    else if (arg === '--output' || arg === '-o') globals.output = args[i + 1];
    else if (arg.startsWith('--output=')) globals.output = arg.slice('--output='.length);
  });
  return globals;
}

/**
 * The one error renderer: Output.error on stderr (colours only where Output allows them: a terminal,
 * no NO_COLOR, no --no-color, no machine format), and with --json/--output yaml the error as data on
 * stdout. Returns the exit code.
 */
async function reportError(error: unknown, globals: GlobalOptions): Promise<number> {
  const out = new Output({ format: outputFormat(globals), color: globals.color });
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander has already printed its message on stderr.
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (out.machine) {
      const message = String((error as Error).message).replace(/^error: /, '');
      await out.data({ error: { message, exitCode: 2, details: [], hint: 'run "fork-stack --help" for usage' } }, true);
    }
    return 2;
  }
  const debug = process.env.FORK_STACK_DEBUG === '1';
  if (isForkStackError(error)) {
    out.error(error.message, error.details, error.hint);
    // A failed lifecycle hook carries its run (each command's exit code and duration, engine/hooks.ts).
    const hook = (error as { hookRun?: unknown }).hookRun;
    if (out.machine) await out.data({ error: { message: error.message, exitCode: error.exitCode, details: error.details, hint: error.hint ?? null, ...(hook ? { hook } : {}) } });
    if (debug && error.cause) process.stderr.write(`${scrub(String((error.cause as Error).stack ?? error.cause))}\n`);
    const override = (error as { exitCodeOverride?: number }).exitCodeOverride;
    return override ?? error.exitCode;
  }
  // A file the OS refused (full disk, read-only, permissions) is not a bug: say which file and why.
  if (isFsError(error)) return reportError(fsError(error), globals);
  out.error(error instanceof Error ? error.message : String(error));
  process.stderr.write('This is a bug in fork-stack; please report it with FORK_STACK_DEBUG=1 output.\n');
  if (debug && error instanceof Error) process.stderr.write(`${scrub(error.stack ?? '')}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  // A straggling task that rejects with the interrupt after its operation has moved on (to roll back)
  // must not end the process before the rollback and the lock release; anything else stays fatal.
  process.on('unhandledRejection', (reason) => {
    if (controller.signal.aborted && reason === controller.signal.reason) return;
    throw reason;
  });
  const fast = parseFast(argv.slice(2));
  if (fast) {
    try {
      await runFast(fast.command, cliContext(fast.globals, controller.signal));
      return 0;
    } catch (error) {
      return await reportError(error, fast.globals);
    }
  }
  const { buildProgram } = await import('./cli/program.js');
  const program = buildProgram({ signal: controller.signal, setExitCode: (code) => (exitCode = code) });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return await reportError(error, outputFlags(argv.slice(2)));
  }
}

/** Exit once everything written to stdout and stderr has reached the OS (pipes are asynchronous). */
function flushAndExit(result: number): void {
  // An interrupted command never reports success, even when it got to its end (DESIGN: no false success).
  const code = interruptedBy ? signalExit(interruptedBy) : result;
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// `process.exit` rather than waiting for the event loop to drain: a provider SDK may keep a socket or
// timer alive, and the command is finished.
main(process.argv).then(flushAndExit, async (error: unknown) => flushAndExit(await reportError(error, {})));
