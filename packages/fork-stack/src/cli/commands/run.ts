/**
 * run: start a command with an environment's variables injected. fork-stack's variables override the
 * same names inherited from the shell (that is the point of choosing an environment). The child's exit
 * code is passed through; a child killed by a signal makes fork-stack die of the same signal; signals
 * sent to fork-stack are forwarded to the child.
 */
import { spawn } from 'node:child_process';
import { OperationError, UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import type { Flags } from '../program.js';
import { userEnv } from '../process-env.js';
import { loadVariables } from './env.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/** Resolves with the exit code to use; kills this process with the child's signal if it died of one. */
export async function run(cli: CliContext, command: string[], flags: Flags<'run'>): Promise<number> {
  if (command.length === 0) {
    throw new UsageError('no command given to run', { hint: 'Example: fork-stack run -- node app.js' });
  }
  const { env, values } = await loadVariables(cli, flags.env);
  // A value from a provider may hold a NUL character, which no environment variable can carry.
  const unpassable = Object.keys(values).filter((key) => values[key]?.includes('\0'));
  if (unpassable.length > 0) {
    throw new OperationError(`the value of ${unpassable.join(', ')} in "${env}" contains a NUL character, which no environment variable can hold`, {
      hint: `Change it (fork-stack secrets set ${unpassable[0]} --env ${env}).`,
    });
  }
  const [file, ...args] = command as [string, ...string[]];
  const childEnv = userEnv({ ...values, FORK_STACK_ENV: env });
  return new Promise<number>((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { stdio: 'inherit', env: childEnv });
    } catch (error) {
      // spawn throws (rather than emitting 'error') for E2BIG: the kernel refused the exec.
      if ((error as NodeJS.ErrnoException).code === 'E2BIG') reject(tooBig(env, file, args, childEnv, values));
      else reject(new OperationError(`could not start ${file}: ${(error as Error).message}`));
      return;
    }
    const handlers = FORWARDED.map((signal) => {
      const handler = () => {
        child.kill(signal);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
    const cleanup = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      if (error.code === 'ENOENT') {
        reject(Object.assign(new OperationError(`command not found: ${file}`, { hint: 'Check the spelling, or that it is on PATH.' }), { exitCodeOverride: 127 }));
      } else reject(new OperationError(`could not start ${file}: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) {
        process.kill(process.pid, signal);
        // If the signal is ignored or handled here, fall back to the shell convention.
        setTimeout(() => resolve(128 + (signalNumber(signal) ?? 1)), 100);
        return;
      }
      resolve(code ?? 0);
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15 };
  return numbers[signal];
}

/** Linux refuses one "KEY=value" string over 32 pages (MAX_ARG_STRLEN) and all of them over ARG_MAX. */
const MAX_ARG_STRLEN = 128 * 1024;

function tooBig(env: string, file: string, args: string[], childEnv: NodeJS.ProcessEnv, own: Record<string, string>): OperationError {
  const size = (key: string, value: string | undefined) => Buffer.byteLength(`${key}=${value ?? ''}`) + 1;
  const entries = Object.entries(childEnv).map(([k, v]) => [k, size(k, v)] as const);
  const total = entries.reduce((sum, [, n]) => sum + n, 0) + [file, ...args].reduce((sum, a) => sum + Buffer.byteLength(a) + 1, 0);
  const largest = [...entries].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const tooLong = entries.filter(([, n]) => n > MAX_ARG_STRLEN).map(([k]) => k);
  const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
  const fix = tooLong.find((k) => k in own) ?? largest.find(([k]) => k in own)?.[0];
  return new OperationError(`cannot start ${file}: the variables of "${env}" are too large to pass to a command (E2BIG)`, {
    details: [
      tooLong.length > 0
        ? `${tooLong.join(', ')} ${tooLong.length === 1 ? 'is' : 'are'} over the ${kib(MAX_ARG_STRLEN)} a single variable may hold`
        : `the command line and environment come to ${kib(total)}, over what the system allows (getconf ARG_MAX)`,
      `largest: ${largest.map(([k, n]) => `${k} (${kib(n)})`).join(', ')}`,
    ],
    hint: `Keep large values in a file and put its path in the variable${fix ? ` (fork-stack secrets set ${fix} --env ${env})` : ''}.`,
  });
}
