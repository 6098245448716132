/**
 * Unit tests of the notes web app on the local stack: two environments' stores and the HTTP server on a
 * real socket. No CLI needed.   node --import tsx --test test/server.test.ts
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EnvConfig } from '../envUtils.js';
import { addNote, status } from '../src/notes.js';
import { notesServer, page } from '../src/server.js';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let root: string;
beforeEach(() => {
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'example-web-')));
  copyFileSync(path.join(HERE, 'fork-stack.toml'), path.join(root, 'fork-stack.toml'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** An environment as `fork-stack create` leaves it: the database file and the bucket directory. */
function env(name: string): EnvConfig {
  const config = new EnvConfig({ cwd: root, env: { FORK_STACK_ENV: name } });
  mkdirSync(path.dirname(config.getLocalDbPath()), { recursive: true });
  writeFileSync(config.getLocalDbPath(), '');
  mkdirSync(config.getBucketName(), { recursive: true });
  return config;
}

test('notes stay in their environment, and the page escapes them', async () => {
  const dev = env('dev');
  const alice = env('alice');
  await addNote(dev, 'dev');
  await addNote(alice, 'alice <b>');
  assert.deepEqual((await status(alice)).notes.map((n) => n.body), ['alice <b>']);
  assert.deepEqual((await status(dev)).files, ['notes/1.txt']);
  assert.match(page(await status(alice)), /alice &#60;b&#62;/);
});

test('HTTP: POST /notes writes, GET /api/status reads, an empty body is a 400', async () => {
  const server = notesServer(env('alice'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const created = await fetch(`${base}/notes`, { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: JSON.stringify({ body: 'hello' }) });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { env: 'alice', id: 1, key: 'notes/1.txt' });
    const s = (await (await fetch(`${base}/api/status`)).json()) as { notes: { body: string }[]; files: string[] };
    assert.deepEqual([s.notes.map((n) => n.body), s.files], [['hello'], ['notes/1.txt']]);
    assert.equal((await fetch(`${base}/notes`, { method: 'POST', body: new URLSearchParams({ body: ' ' }) })).status, 400);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    server.close();
  }
});
