/**
 * Run the built CLI on a real pseudo-terminal, as a user at a terminal does: key presses go through the
 * terminal's line discipline (Ctrl-C becomes SIGINT unless the program put the terminal in raw mode, in
 * which case it reads the 0x03 byte itself). util-linux `script` provides the terminal: what is written
 * to its stdin reaches the pty master as typed keys, and it exits with the program's exit code (-e).
 * No native module needed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { CLI, cleanEnv } from './cli.js';

export interface PtyResult {
  code: number | null;
  /** Everything the terminal showed, escape sequences removed. */
  screen: string;
}

export interface PtySession {
  /** The screen so far (escape sequences removed). */
  screen(): string;
  /** Resolves with the screen once `pattern` appears on it; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Type keys: "\x03" is Ctrl-C, "n\r" is n then Enter. */
  send(keys: string): void;
  /** Send a signal to the CLI process itself (not to `script`). */
  signal(signal: NodeJS.Signals): void;
  done: Promise<PtyResult>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function hasScript(): boolean {
  return spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
}

export function runOnPty(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; cols?: number }): PtySession {
  // A terminal of a known size (script's own stdin is a pipe, so the pty would start 0×0), then the CLI
  // in place of the shell so that the pty's foreground process is the CLI.
  const command = `stty cols ${options.cols ?? 120} rows 40; exec ${[process.execPath, CLI, ...args].map(quote).join(' ')}`;
  // Interactive output is off in CI (CI=true) by design; a terminal user has no CI variable.
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: options.cwd, env: cleanEnv({ CI: undefined, ...options.env }), stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    raw += d.toString();
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const screen = () => stripVTControlCharacters(raw).replace(/\r/g, '');
  const done = new Promise<PtyResult>((resolve) => {
    child.on('close', (code) => {
      for (const l of listeners) l();
      resolve({ code, screen: screen() });
    });
  });
  let exited = false;
  void done.then(() => (exited = true));
  const cliPid = (): number | undefined => {
    try {
      const pids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return pids.length ? Number(pids[0]) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    screen,
    waitFor(pattern, timeoutMs = 60_000) {
      const test = () => (typeof pattern === 'string' ? screen().includes(pattern) : pattern.test(screen()));
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          if (test()) {
            cleanup();
            resolve(screen());
          } else if (exited) {
            cleanup();
            reject(new Error(`the CLI exited before ${String(pattern)} appeared; screen:\n${screen()}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${String(pattern)}; screen:\n${screen()}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    send(keys) {
      child.stdin.write(keys);
    },
    signal(signal) {
      const pid = cliPid();
      if (pid === undefined) throw new Error('the CLI is not running');
      process.kill(pid, signal);
    },
    done: done.finally(() => child.stdin.destroy()),
  };
}
