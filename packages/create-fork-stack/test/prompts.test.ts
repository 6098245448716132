/**
 * The questions, answered through a fake terminal (clack reads keypresses from `input` and draws on
 * `output`): Enter takes the highlighted answer, arrow keys move, Ctrl-C cancels and writes nothing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { PACKAGE, tempDir } from './helpers.js';

const TEMPLATES = path.join(PACKAGE, 'dist', 'templates');
const ENTER = '\r';
const DOWN = '\x1b[B';
const CTRL_C = '\x03';

class Terminal {
  readonly input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  text = '';
  readonly output = Object.assign(
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.text += chunk.toString();
        done();
      },
    }),
    { isTTY: true, columns: 120, rows: 40 },
  );

  /** Type `keys` once the screen shows `prompt` (each question is drawn before it reads keys). */
  async answer(prompt: string, ...keys: string[]): Promise<void> {
    const start = Date.now();
    while (!this.text.includes(prompt)) {
      if (Date.now() - start > 10_000) throw new Error(`no "${prompt}" on the screen:\n${this.text.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Cleared before typing: the next question may be drawn while the last key is handled.
    this.text = '';
    for (const key of keys) {
      this.input.write(key);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const temps: { cleanup(): void }[] = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));

function run(args: string[], terminal: Terminal, cwd: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sink = (into: string[]) => new Writable({ write: (c: Buffer, _e, done) => (into.push(c.toString()), done()) });
  const done = main(args, {
    cwd,
    env: { ...process.env, FORK_STACK_ENV: undefined, ENV: undefined },
    stdout: sink(stdout),
    stderr: sink(stderr),
    interactive: true,
    templates: TEMPLATES,
    input: terminal.input,
    output: terminal.output,
  });
  return { done, stdout, stderr };
}

describe('questions on a terminal', () => {
  it('asks the directory and each part; Enter keeps the defaults except where arrows move', async () => {
    const tmp = tempDir();
    temps.push(tmp);
    const terminal = new Terminal();
    const session = run([], terminal, tmp.dir);
    await terminal.answer('Where should the project go?', ...'asked', ENTER);
    // "Start from": the last option is "choose each part".
    const stacks = readdirSync(path.join(TEMPLATES, 'stacks')).filter((n) => existsSync(path.join(TEMPLATES, 'stacks', n, 'fork-stack.toml'))).length;
    if (stacks > 0) await terminal.answer('Start from', ...Array<string>(stacks).fill(DOWN), ENTER);
    await terminal.answer('Language', DOWN, ENTER); // typescript → python
    await terminal.answer('Database', ENTER); // sqlite
    await terminal.answer('Object storage', ENTER); // fs
    await terminal.answer('Secrets', ENTER); // dotenv
    await terminal.answer('Cache', ENTER); // none
    await terminal.answer('Queue', ENTER); // none
    await terminal.answer('CI workflows', DOWN, ENTER); // github
    expect(await session.done, session.stderr.join('')).toBe(0);

    const project = path.join(tmp.dir, 'asked');
    const config = readFileSync(path.join(project, 'fork-stack.toml'), 'utf8');
    expect(config).toMatch(/^project = "asked"$/m);
    expect(config).toMatch(/\[database\]\nprovider = "sqlite"/);
    expect(config).toMatch(/\[storage\.uploads\]\nprovider = "fs"/);
    expect(config).toMatch(/\[secrets\]\nprovider = "dotenv"/);
    expect(config).not.toMatch(/\[cache\]|\[queue\]/);
    expect(existsSync(path.join(project, 'env_utils.py'))).toBe(true);
    expect(existsSync(path.join(project, '.github', 'workflows', 'preview.yml'))).toBe(true);
    expect(session.stdout.join('')).toContain('Next steps');
  });

  it('re-asks for a directory that is not empty, and Ctrl-C writes nothing', async () => {
    const tmp = tempDir();
    temps.push(tmp);
    const terminal = new Terminal();
    mkdirSync(path.join(tmp.dir, 'taken'));
    writeFileSync(path.join(tmp.dir, 'taken', 'notes.txt'), 'mine\n');
    const session = run(['--language', 'go'], terminal, tmp.dir);
    await terminal.answer('Where should the project go?', ...'taken', ENTER);
    await terminal.answer('taken already exists and is not empty', CTRL_C);
    expect(await session.done).toBe(130);
    expect(terminal.text).toContain('Cancelled; nothing was written.');
    expect(readdirSync(tmp.dir)).toEqual(['taken']);
    expect(readdirSync(path.join(tmp.dir, 'taken'))).toEqual(['notes.txt']);
  });
});
