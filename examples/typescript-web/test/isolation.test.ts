/**
 * Isolation, end to end: the CLI forks dev, the server runs in the fork on a free port, a note posted to
 * it (a row and a file) lands there, and dev's database file and bucket are byte for byte unchanged.
 *
 *   make test-isolation          (FORK_STACK=... picks the CLI; runs `make envs-init` first)
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EnvConfig } from '../envUtils.js';
import { addNote } from '../src/notes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = (process.env.FORK_STACK_CLI || 'npx --no-install fork-stack').split(/\s+/).filter(Boolean);
const NAME = process.env.FORK_STACK_TEST_ENV || 'itest';
const ENV: Record<string, string> = Object.fromEntries(
  Object.entries({ ...process.env, NO_COLOR: '1' }).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'FORK_STACK_ENV' && e[0] !== 'ENV'),
);
const dev = () => new EnvConfig({ cwd: ROOT, env: { ...ENV, FORK_STACK_ENV: 'dev' } });

async function cli(...args: string[]): Promise<string> {
  const [command, ...rest] = CLI as [string, ...string[]];
  return (await promisify(execFile)(command, [...rest, ...args], { cwd: ROOT, env: ENV })).stdout;
}

/** Every byte of an environment's database file and bucket directory. */
function fingerprint(config: EnvConfig): Record<string, string> {
  const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const out: Record<string, string> = { database: hash(config.getLocalDbPath()) };
  const walk = (dir: string, base = ''): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name), `${base}${e.name}/`);
      else out[`${base}${e.name}`] = hash(path.join(dir, e.name));
    }
  };
  walk(config.getBucketName());
  return out;
}

test('a note written in a fork leaves dev unchanged', { skip: process.env.FORK_STACK_INTEGRATION !== '1' && 'set FORK_STACK_INTEGRATION=1 (make test-isolation)' }, async () => {
  await cli('switch', 'dev');
  await addNote(dev(), "dev's note");
  const devBefore = fingerprint(dev());
  await cli('create', NAME, '--switch');
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env: { ...ENV, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
    });
    const [, env, base] = /^serving (\S+) on (http:\/\/\S+)$/.exec(line) ?? [];
    assert.equal(env, NAME);
    const before = (await (await fetch(`${base}/api/status`)).json()) as { notes: { body: string }[] };
    assert.ok(before.notes.some((n) => n.body === "dev's note")); // forked with dev's data
    const added = (await (await fetch(`${base}/notes`, { method: 'POST', headers: { Accept: 'application/json' }, body: new URLSearchParams({ body: 'only in the fork' }) })).json()) as { env: string; key: string };
    assert.equal(added.env, NAME);
    const after = (await (await fetch(`${base}/api/status`)).json()) as { notes: { body: string }[]; files: string[] };
    assert.equal(after.notes.length, before.notes.length + 1);
    assert.ok(after.files.includes(added.key));
    assert.match(await (await fetch(`${base}/`)).text(), /only in the fork/);
    assert.deepEqual(fingerprint(dev()), devBefore); // dev: same bytes
  } finally {
    server.kill();
    await cli('switch', 'dev').catch(() => undefined);
    await cli('delete', NAME, '--yes').catch(() => undefined);
  }
});
