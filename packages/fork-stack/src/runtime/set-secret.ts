/**
 * Writing a secret goes through the CLI (`fork-stack secrets set KEY --env <env>`), which knows the
 * configured secrets provider; the readers themselves only read. The value travels on stdin, never on
 * the command line where `ps` would show it.
 */
import { spawn } from 'node:child_process';
import { KEY_PATTERN } from '../core/files/dotenv.js';
import { ForkStackRuntimeError } from './resolve.js';

export const DEFAULT_CLI = 'npx --no-install fork-stack';

export interface SetSecretCall {
  key: string;
  value: string;
  env: string;
  /** Where the CLI runs: the project root (or the working directory outside a project). */
  cwd: string;
  environ: Readonly<Record<string, string | undefined>>;
}

export function checkSecretKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new ForkStackRuntimeError('invalid-key', `${JSON.stringify(key)} is not a valid variable name; use letters, digits and "_", not starting with a digit (e.g. STRIPE_KEY)`);
  }
}

/** FORK_STACK_CLI split on whitespace (no shell, so no quoting): the command and its first arguments. */
export function cliCommand(environ: Readonly<Record<string, string | undefined>>): string[] {
  const words = (environ.FORK_STACK_CLI ?? '').split(/\s+/).filter(Boolean);
  return words.length > 0 ? words : DEFAULT_CLI.split(' ');
}

/**
 * What goes on the CLI's stdin for `value`. The CLI drops one trailing line end, "\n" or "\r\n" (a line
 * typed on Windows); so the value gets "\n", or "\r\n" when it ends with "\r" — else that "\r" would be
 * taken for part of the line end and lost (contract v1, conformance/README.md).
 */
export function stdinFor(value: string): string {
  return value.endsWith('\r') ? `${value}\r\n` : `${value}\n`;
}

export function runSetSecret(call: SetSecretCall): Promise<void> {
  checkSecretKey(call.key);
  const [command, ...prefix] = cliCommand(call.environ) as [string, ...string[]];
  const args = [...prefix, 'secrets', 'set', call.key, '--env', call.env];
  const shown = [command, ...args].join(' ');
  const env = Object.fromEntries(Object.entries(call.environ).filter((e): e is [string, string] => e[1] !== undefined));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: call.cwd, env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(new ForkStackRuntimeError('cli-failed', `could not run "${shown}" (${error.code ?? error.message}); install fork-stack (npm i -D fork-stack) or set FORK_STACK_CLI`));
    });
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const detail = stderr.trim().split('\n').slice(-3).join(' ').trim();
      const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      reject(new ForkStackRuntimeError('cli-failed', `"${shown}" ${how}${detail ? `: ${detail}` : ''}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdinFor(call.value));
  });
}
