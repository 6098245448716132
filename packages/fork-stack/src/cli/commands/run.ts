/**
 * run: start a command with an environment's variables injected. fork-stack's variables override the
 * same names inherited from the shell (that is the point of choosing an environment). The child's exit
 * code is passed through; a child killed by a signal makes fork-stack die of the same signal; signals
 * sent to fork-stack are forwarded to the child.
 */
import { spawn } from 'node:child_process';
import { OperationError, UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { userEnv } from '../process-env.js';
import { loadVariables } from './env.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/** Resolves with the exit code to use; kills this process with the child's signal if it died of one. */
export async function run(cli: CliContext, command: string[], flags: { env?: string }): Promise<number> {
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
  return new Promise<number>((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', env: userEnv({ ...values, FORK_STACK_ENV: env }) });
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
