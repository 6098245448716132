#!/usr/bin/env node
/**
 * Entry point: the only place that calls process.exit. Expected errors print one clear message (and a
 * hint) with exit code 2 for usage/config and 1 for failed operations; nothing prints a stack trace
 * unless FORK_STACK_DEBUG=1.
 */
import { cliContext } from './cli/context.js';
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

function wantsJson(argv: string[]): boolean {
  const dashdash = argv.indexOf('--');
  return (dashdash < 0 ? argv : argv.slice(0, dashdash)).includes('--json');
}

function reportError(error: unknown, json: boolean): number {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    // commander has already printed its message on stderr.
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (json) {
      const message = String((error as Error).message).replace(/^error: /, '');
      process.stdout.write(`${JSON.stringify({ error: { message, exitCode: 2, details: [], hint: 'run "fork-stack --help" for usage' } }, null, 2)}\n`);
    }
    return 2;
  }
  const debug = process.env.FORK_STACK_DEBUG === '1';
  if (isForkStackError(error)) {
    const lines = [`error: ${error.message}`, ...error.details.map((d) => `  ${d.split('\n').join('\n  ')}`)];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    const colored = process.stderr.isTTY && !process.env.NO_COLOR && !json;
    const text = colored ? lines.join('\n').replace(/^error:/, '\x1b[31merror:\x1b[39m').replace(/\nhint:/, '\n\x1b[2mhint:\x1b[22m') : lines.join('\n');
    process.stderr.write(`${scrub(text)}\n`);
    if (json) {
      process.stdout.write(
        `${scrub(JSON.stringify({ error: { message: error.message, exitCode: error.exitCode, details: error.details, hint: error.hint ?? null } }, null, 2))}\n`,
      );
    }
    if (debug && error.cause) process.stderr.write(`${scrub(String((error.cause as Error).stack ?? error.cause))}\n`);
    const override = (error as { exitCodeOverride?: number }).exitCodeOverride;
    return override ?? error.exitCode;
  }
  // A file the OS refused (full disk, read-only, permissions) is not a bug: say which file and why.
  if (isFsError(error)) return reportError(fsError(error), json);
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${scrub(message)}\n`);
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
      return reportError(error, Boolean(fast.globals.json));
    }
  }
  const { buildProgram } = await import('./cli/program.js');
  const program = buildProgram({ signal: controller.signal, setExitCode: (code) => (exitCode = code) });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, wantsJson(argv.slice(2)));
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
main(process.argv).then(flushAndExit, (error: unknown) => flushAndExit(reportError(error, false)));
