import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFake } from '@fork-stack/provider-fakes';
import { localProject } from '../helpers/cli.js';
import { cloudProject } from '../providers/cloud-db.cli.js';

let project: ReturnType<typeof localProject>;
beforeEach(() => {
  project = localProject('life');
});
afterEach(() => project.cleanup());

const at = (iso: string) => ({ env: { FORK_STACK_NOW: iso } });
const envs = () => JSON.parse(project.run(['list', '--json']).stdout).environments.map((e: { name: string }) => e.name);
const url = (env: string) => JSON.parse(project.run(['env', env, '--format', 'json']).stdout).DATABASE_URL as string;
async function sql(env: string, statement: string) {
  const c = createClient({ url: url(env) });
  try {
    return await c.execute(statement);
  } finally {
    c.close();
  }
}

describe('expiry and gc', () => {
  it('deletes expired environments only, never protected ones, with a dry run first', () => {
    expect(project.run(['create', 'short', '--ttl', '1h'], at('2026-01-01T00:00:00Z')).code).toBe(0);
    expect(project.run(['create', 'long', '--ttl', '7d'], at('2026-01-01T00:00:00Z')).code).toBe(0);
    expect(project.run(['create', 'forever'], at('2026-01-01T00:00:00Z')).code).toBe(0);
    const dry = JSON.parse(project.run(['gc', '--dry-run', '--json'], at('2026-01-01T02:00:00Z')).stdout);
    expect(dry.entries).toEqual([{ env: 'short', reason: 'expired 1h ago', action: 'would delete' }]);
    expect(envs()).toContain('short');
    expect(project.run(['gc'], at('2026-01-01T02:00:00Z')).code).toBe(2); // no --yes off a terminal
    const real = project.run(['gc', '--yes'], at('2026-01-01T02:00:00Z'));
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/short\s+expired 1h ago\s+deleted/);
    expect(envs()).toEqual(['dev', 'forever', 'long']);
    const old = JSON.parse(project.run(['gc', '--older-than', '30d', '--yes', '--json'], at('2026-03-01T00:00:00Z')).stdout);
    expect(old.entries.map((e: { env: string }) => e.env).sort()).toEqual(['forever', 'long']);
    expect(envs()).toEqual(['dev']);
  });

  it('applies [lifecycle] default_ttl and max_envs', () => {
    appendFileSync(path.join(project.dir, 'fork-stack.toml'), '\n[lifecycle]\ndefault_ttl = "2d"\nmax_envs = 2\n');
    project.run(['create', 'a'], at('2026-01-01T00:00:00Z'));
    project.run(['create', 'b'], at('2026-01-01T00:00:00Z'));
    const status = JSON.parse(project.run(['status', 'a', '--json']).stdout);
    expect(status.expiresAt).toBe('2026-01-03T00:00:00.000Z');
    const refused = project.run(['create', 'c'], at('2026-01-01T01:00:00Z'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/max_envs = 2 environments exist already/);
    expect(refused.stderr).toMatch(/a \(1h old\), expires 2026-01-03/);
    expect(envs()).not.toContain('c');
  });

  it('--gone deletes environments whose branch left the remote', () => {
    const remote = path.join(path.dirname(project.dir), 'remote.git');
    const g = (...args: string[]) => execFileSync('git', args, { cwd: project.dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    execFileSync('git', ['init', '-q', '--bare', remote]);
    g('init', '-q', '-b', 'main');
    g('add', '.');
    g('commit', '-q', '-m', 'x');
    g('remote', 'add', 'origin', remote);
    g('push', '-q', 'origin', 'main', 'main:feature/kept', 'main:feature/merged');
    project.run(['create', 'feature-kept', '--git-branch', 'feature/kept']);
    project.run(['create', 'feature-merged', '--git-branch', 'feature/merged']);
    project.run(['create', 'manual']);
    g('push', '-q', 'origin', '--delete', 'feature/merged');
    const result = JSON.parse(project.run(['gc', '--gone', '--yes', '--json']).stdout);
    expect(result.entries).toEqual([{ env: 'feature-merged', reason: 'branch feature/merged is gone from origin', action: 'deleted' }]);
    expect(envs()).toEqual(['dev', 'feature-kept', 'manual']);
  });
});

describe('reset', () => {
  it('re-forks an environment from its parent, keeping its name', async () => {
    await sql('dev', 'CREATE TABLE t (x)');
    await sql('dev', "INSERT INTO t VALUES ('dev')");
    project.run(['create', 'alice']);
    await sql('alice', "INSERT INTO t VALUES ('alice')");
    expect((await sql('alice', 'SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(2);
    expect(project.run(['reset', 'alice']).code).toBe(2);
    const reset = project.run(['reset', 'alice', '--yes']);
    expect(reset.code, reset.stderr).toBe(0);
    expect((await sql('alice', 'SELECT count(*) AS n FROM t')).rows[0]?.n).toBe(1);
    expect(project.run(['reset', 'dev', '--yes']).stderr).toMatch(/protected/);
  });
});

describe('diff', () => {
  it('reports schema, secret keys (never values) and object changes', async () => {
    await sql('dev', 'CREATE TABLE users (id INTEGER, name TEXT)');
    project.run(['secrets', 'set', 'SHARED', 'same-value-123', '--env', 'dev']);
    project.run(['secrets', 'set', 'CHANGED', 'dev-value-123', '--env', 'dev']);
    project.run(['create', 'alice']);
    await sql('alice', 'ALTER TABLE users ADD COLUMN email TEXT');
    await sql('alice', 'CREATE INDEX users_email ON users (email)');
    await sql('alice', 'CREATE TABLE orders (id INTEGER)');
    project.run(['secrets', 'set', 'CHANGED', 'alice-value-456', '--env', 'alice']);
    project.run(['secrets', 'set', 'NEW_KEY', 'new-value-789', '--env', 'alice']);
    const bucket = JSON.parse(project.run(['env', 'alice', '--format', 'json']).stdout).BUCKET_NAME as string;
    writeFileSync(path.join(bucket, 'photo.jpg'), 'x'.repeat(100));
    const result = JSON.parse(project.run(['diff', 'dev', 'alice', '--json']).stdout);
    const bySlot = Object.fromEntries(result.slots.map((s: { slot: string }) => [s.slot, s]));
    expect(bySlot.database.schema).toMatchObject({ tablesAdded: ['orders'], columns: [{ table: 'users', added: ['email'] }], indexesAdded: ['users.users_email'] });
    expect(bySlot.secrets.secrets).toEqual({ added: ['NEW_KEY'], removed: [], changed: ['CHANGED'] });
    expect(bySlot['storage.uploads'].objects).toEqual({ a: { count: 0, bytes: 0 }, b: { count: 1, bytes: 100 } });
    const text = project.run(['diff', 'dev', 'alice']);
    expect(text.stdout).toMatch(/\+ column users\.email/);
    expect(text.stdout).toMatch(/~ CHANGED \(value differs\)/);
    expect(text.stdout + text.stderr + JSON.stringify(result)).not.toMatch(/value-123|value-456|value-789/);
    expect(readFileSync(path.join(project.dir, '.current-env'), 'utf8').trim()).toBe('dev');
  });
});

describe('diff of a provider that cannot describe itself', () => {
  it('diff says "not compared" for Turso, never "no differences" (also in --json)', async () => {
    const fake = await startFake('turso');
    const turso = cloudProject('provider = "turso"\norganization = "fake-org"', { ...fake.env, FORK_STACK_RETRY_BASE_MS: '5' }, 'myapp');
    try {
      const created = await turso.run(['create', 'alice']);
      expect(created.code, created.stderr).toBe(0);
      const text = await turso.run(['diff', 'prod', 'alice']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).not.toMatch(/: no differences$/m);
      expect(text.stdout).toMatch(/not compared: database/);
      expect(text.stdout).toMatch(/^ {2}not compared \(turso cannot describe its resources\)$/m);
      const json = JSON.parse((await turso.run(['diff', 'prod', 'alice', '--json'])).stdout);
      expect(json.same).toBe(false);
      expect(json.notCompared).toEqual(['database']);
      expect(json.slots).toEqual([{ slot: 'database', provider: 'turso', unsupported: true, compared: false, same: null }]);
    } finally {
      turso.cleanup();
      await fake.close();
    }
  });

  it('diff of two equal local environments still says "no differences"', () => {
    project.run(['create', 'alice']);
    const text = project.run(['diff', 'dev', 'alice']);
    expect(text.stdout).toMatch(/^dev → alice: no differences$/m);
    expect(JSON.parse(project.run(['diff', 'dev', 'alice', '--json']).stdout)).toMatchObject({ same: true, notCompared: [] });
  });
});
