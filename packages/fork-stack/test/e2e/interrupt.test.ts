/**
 * Interrupts and refusals, on a real pseudo-terminal (key presses through the terminal, see
 * helpers/pty.ts) and off it (signals to a process on pipes). A local stack (sqlite + fs + dotenv) with
 * a parent big enough that a create takes a while, so the key lands mid-create.
 *
 * Every interrupted create exits 130 (143 for SIGTERM), leaves no lock, and leaves the environment
 * either rolled back or in a state that re-running create finishes; the parent never changes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, tempDir } from '../helpers/cli.js';
import { hasScript, runOnPty, type PtySession } from '../helpers/pty.js';
import { localChecksums, localLeftovers, localStack, type LocalChecksums, type LocalStack } from '../reliability/support/local-stack.js';

const TIMEOUT = 240_000;
let project: LocalStack;
let parent: LocalChecksums;

beforeAll(async () => {
  expect(hasScript(), 'util-linux "script" is needed for the pseudo-terminal tests').toBe(true);
  project = await localStack({ rows: 6_000, rowBytes: 4096, files: 600 });
  parent = await localChecksums(project.dir, 'dev');
}, TIMEOUT);
afterAll(() => project?.cleanup());

const locksLeft = (env: string) => readdirSync(path.join(project.dir, '.fork-stack', 'locks')).filter((n) => n.includes(env));

/** Resolves once the journal says `env` is being created: the create is past its checks, mid-fork. */
async function creating(env: string, timeoutMs = 60_000): Promise<void> {
  const file = path.join(project.dir, '.fork-stack', 'meta', `${env}.json`);
  for (const start = Date.now(); Date.now() - start < timeoutMs; await new Promise((r) => setTimeout(r, 10))) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes('"creating"')) return;
  }
  throw new Error(`${env} never reached "creating"`);
}

/**
 * After an interrupted create of `env`: no lock; the environment is gone without a trace, or a re-run of
 * create finishes it with the parent's data; the parent is unchanged. Returns what was found.
 */
async function settled(env: string): Promise<'rolled back' | 'finished by create'> {
  expect(locksLeft(env)).toEqual([]);
  let outcome: 'rolled back' | 'finished by create' = 'rolled back';
  if (localLeftovers(project.dir, env).length > 0) {
    const again = project.run(['create', env]);
    expect(again.code, again.stderr).toBe(0);
    expect(await localChecksums(project.dir, env)).toEqual(parent);
    outcome = 'finished by create';
    const removed = project.run(['delete', env, '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(localLeftovers(project.dir, env)).toEqual([]);
  }
  expect(await localChecksums(project.dir, 'dev')).toEqual(parent);
  return outcome;
}

describe('on a terminal', () => {
  it(
    'ctrl-c during create on a terminal exits 130 and releases the lock',
    async () => {
      // As soon as the command starts, when the forks start, and at two points part-way through them
      // (the 150 ms one found copies rejected outside the awaited set, which ended the CLI with exit 1).
      const after = (ms: number) => async (_: PtySession, env: string) => (await creating(env), await new Promise((r) => setTimeout(r, ms)));
      const points: { env: string; when: (s: PtySession, env: string) => Promise<unknown> }[] = [
        { env: 'ctrl-early', when: (s) => s.waitFor('creating ctrl-early') },
        { env: 'ctrl-forking', when: (_, env) => creating(env) },
        { env: 'ctrl-midway', when: after(150) },
        { env: 'ctrl-late', when: after(400) },
      ];
      for (const point of points) {
        const session = runOnPty(['create', point.env], { cwd: project.dir });
        await point.when(session, point.env);
        session.send('\x03');
        const result = await session.done;
        // On an idle machine the late point can land after the create finished: a real success, whole.
        if (result.code === 0 && point.env === 'ctrl-late') {
          expect(result.screen).toMatch(/created ctrl-late/);
          expect(project.run(['delete', point.env, '--yes']).code).toBe(0);
          continue;
        }
        expect(result.code, result.screen).toBe(130);
        expect(result.screen).toMatch(/interrupted: stopping and cleaning up/);
        expect(result.screen).not.toMatch(/created ctrl-/);
        // The create stopped and said so (it did not run to its end and exit on the side).
        expect(result.screen).toContain(`could not create "${point.env}" (interrupted)`);
        await settled(point.env);
      }
    },
    TIMEOUT,
  );

  it(
    'SIGTERM during create on a terminal exits 143 and releases the lock',
    async () => {
      const session = runOnPty(['create', 'term'], { cwd: project.dir });
      await creating('term');
      session.signal('SIGTERM');
      const result = await session.done;
      expect(result.code, result.screen).toBe(143);
      expect(result.screen).toMatch(/terminated: stopping and cleaning up/);
      await settled('term');
    },
    TIMEOUT,
  );

  it(
    'a declined delete on a terminal exits 1 and removes nothing; Escape too; ctrl-c at the prompt exits 130',
    async () => {
      expect(project.run(['create', 'keep']).code).toBe(0);
      const before = await localChecksums(project.dir, 'keep');
      for (const [keys, code, message] of [
        ['n\r', 1, /not confirmed: nothing was deleted/],
        ['\x1b', 1, /not confirmed: nothing was deleted/],
        ['\x03', 130, /interrupted/],
      ] as const) {
        const session = runOnPty(['delete', 'keep'], { cwd: project.dir });
        await session.waitFor('delete environment "keep"');
        session.send(keys);
        const result = await session.done;
        expect(result.code, result.screen).toBe(code);
        expect(result.screen).toMatch(message);
        expect(result.screen).not.toMatch(/deleted keep/);
        expect(await localChecksums(project.dir, 'keep')).toEqual(before);
        expect(locksLeft('keep')).toEqual([]);
      }
      expect(project.run(['delete', 'keep', '--yes']).code).toBe(0);
    },
    TIMEOUT,
  );

  it('a cancelled init prompt exits 1 and ctrl-c at it exits 130, writing nothing', async () => {
    for (const [keys, code] of [
      ['\x1b', 1],
      ['\x03', 130],
    ] as const) {
      const tmp = tempDir();
      try {
        const session = runOnPty(['init'], { cwd: tmp.dir });
        await session.waitFor('Project name');
        session.send(keys);
        const result = await session.done;
        expect(result.code, result.screen).toBe(code);
        expect(result.screen).toMatch(code === 1 ? /cancelled: nothing was written/ : /interrupted/);
        expect(readdirSync(tmp.dir)).toEqual([]);
      } finally {
        tmp.cleanup();
      }
    }
  }, TIMEOUT);
});

describe('off a terminal', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(
      `${signal} to create off a terminal (pipe) exits ${code} and releases the lock`,
      async () => {
        const env = `pipe-${signal.toLowerCase()}`;
        const pending = runCliAsync(['create', env], { cwd: project.dir });
        await creating(env);
        pending.child.kill(signal);
        const result = await pending;
        expect(result.code, result.stderr).toBe(code);
        expect(result.stderr).not.toMatch(/created pipe-/);
        expect(result.stderr).not.toMatch(/This is a bug/);
        await settled(env);
      },
      TIMEOUT,
    );
  }
});
