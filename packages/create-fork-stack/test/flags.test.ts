/**
 * Without a terminal: flags only, never a question, never a hang. Bad input is exit 2 with a message
 * naming the problem and the fix, and nothing written; a failure while writing is exit 1 with nothing
 * left behind.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registry } from 'fork-stack';
import { afterEach, describe, expect, it } from 'vitest';
import { KINDS } from '../src/catalog.js';
import { writeProject } from '../src/write.js';
import { output, PACKAGE, REPO, scaffold, stackIndex, tempDir } from './helpers.js';

const temps: { cleanup(): void }[] = [];
afterEach(() => temps.splice(0).forEach((t) => t.cleanup()));
function temp() {
  const t = tempDir();
  temps.push(t);
  return t.dir;
}

const noTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('bad input: exit 2, a clear message, nothing written', () => {
  const cases: [args: string[], message: RegExp, hint: RegExp][] = [
    [['app', '--database', 'mongo'], /^error: unknown database provider "mongo"$/m, /hint: Use one of: sqlite, postgres, neon/],
    [['app', '--storage', 'gcs'], /^error: unknown storage provider "gcs"$/m, /fs, s3, r2, tigris, none/],
    [['app', '--secrets', 'env'], /^error: unknown secrets provider "env"$/m, /dotenv/],
    [['app', '--cache', 'memcached'], /^error: unknown cache provider "memcached"$/m, /redis/],
    [['app', '--queue', 'sqs'], /^error: unknown queue provider "sqs"$/m, /bullmq/],
    [['app', '--language', 'ruby'], /^error: unknown language "ruby"$/m, /typescript, python, go, rust/],
    [['app', '--stack', 'cobol-db2'], /^error: unknown stack "cobol-db2"$/m, /--list-stacks/],
    [['app', '--ci', 'jenkins'], /^error: unknown CI "jenkins"$/m, /--ci github or --ci gitlab/],
    [['app', '--project', 'Bad_Name'], /^error: invalid project name "Bad_Name"$/m, /--project <name>/],
    [['app', '--database', 'none', '--storage', 'none'], /nothing to fork/, /at least a database or a storage provider/],
    [['app', '--frobnicate'], /^error: unknown option '--frobnicate'$/m, /--help/],
    [['app', '--database'], /argument missing/, /--help/],
    [['one', 'two'], /one directory expected, got 2/, /Quote a path/],
    [[], /^error: no directory given for the new project$/m, /npm create fork-stack@latest my-app/],
  ];

  it.each(cases)('%j', (args, message, hint) => {
    const dir = temp();
    const result = scaffold(args, dir);
    expect(result.status, output(result)).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(hint);
    expect(result.stdout).toBe('');
    noTrace(result.stderr);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a --stack with flags that contradict it names each conflict', () => {
    const stack = stackIndex().find((s) => s.database && s.database !== 'sqlite');
    expect(stack, 'a cloud stack in stacks/index.json').toBeDefined();
    const dir = temp();
    const result = scaffold(['app', '--stack', stack!.name, '--database', 'sqlite', '--language', 'rust'], dir);
    expect(result.status, output(result)).toBe(2);
    expect(result.stderr).toContain(`--stack ${stack!.name} conflicts with`);
    expect(result.stderr).toContain(`--database sqlite (the stack uses ${stack!.database})`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a target that exists and is not empty is left exactly as it was', () => {
    const dir = temp();
    mkdirSync(path.join(dir, 'taken'));
    writeFileSync(path.join(dir, 'taken', 'notes.txt'), 'mine\n');
    const result = scaffold(['taken'], dir);
    expect(result.status, output(result)).toBe(2);
    expect(result.stderr).toMatch(/^error: taken already exists and is not empty \(notes\.txt\)$/m);
    expect(result.stderr).toContain('never writes into a non-empty directory');
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(path.join(dir, 'taken'))).toEqual(['notes.txt']);
    expect(readFileSync(path.join(dir, 'taken', 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('a target that is a file is refused', () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'app'), 'x');
    const result = scaffold(['app'], dir);
    expect(result.status, output(result)).toBe(2);
    expect(result.stderr).toMatch(/^error: app exists and is not a directory$/m);
  });
});

describe('failures while writing: exit 1, nothing left behind', () => {
  it('a parent that is a file (ENOTDIR)', () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'file'), 'x');
    const result = scaffold(['file/app'], dir);
    expect(result.status, output(result)).toBe(1);
    expect(result.stderr).toMatch(/^error: could not write file\/app: ENOTDIR/m);
    expect(result.stderr).toContain('hint: Nothing was written');
    noTrace(result.stderr);
    expect(readdirSync(dir)).toEqual(['file']);
  });

  it('rollback removes the project and the parent folders it created', async () => {
    const dir = temp();
    const target = path.join(dir, 'new', 'deeper', 'app');
    const written = await writeProject(target, [{ path: 'a/b.txt', content: Buffer.from('x') }], 'app');
    expect(readFileSync(path.join(target, 'a', 'b.txt'), 'utf8')).toBe('x');
    await written.rollback();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('prompt-less flag combinations', () => {
  it('an existing empty directory and new parent folders are fine', () => {
    const dir = temp();
    mkdirSync(path.join(dir, 'empty'));
    const first = scaffold(['empty', '--language', 'python', '--database', 'sqlite', '--storage', 'none', '--secrets', 'none'], dir);
    expect(first.status, output(first)).toBe(0);
    expect(readFileSync(path.join(dir, 'empty', 'fork-stack.toml'), 'utf8')).not.toContain('[storage');
    const nested = scaffold(['apps/web/shop', '--yes', '--language', 'go', '--storage', 'fs'], dir);
    expect(nested.status, output(nested)).toBe(0);
    expect(readFileSync(path.join(dir, 'apps', 'web', 'shop', 'go.mod'), 'utf8')).toMatch(/^module shop$/m);
    // Naming a provider means "these parts": the others are none, not the local stack's.
    expect(readFileSync(path.join(dir, 'apps', 'web', 'shop', 'fork-stack.toml'), 'utf8')).not.toMatch(/\[database\]|\[secrets\]/);
  });

  it('--project and --root override the defaults; a stack with agreeing flags is that stack', () => {
    const dir = temp();
    const custom = scaffold(['x', '--language', 'rust', '--database', 'neon', '--project', 'billing', '--root', 'main'], dir);
    expect(custom.status, output(custom)).toBe(0);
    const config = readFileSync(path.join(dir, 'x', 'fork-stack.toml'), 'utf8');
    expect(config).toMatch(/^project = "billing"$/m);
    expect(config).toMatch(/^roots = \["main"\]$/m);
    expect(readFileSync(path.join(dir, 'x', 'Cargo.toml'), 'utf8')).toMatch(/^name = "billing"$/m);

    const stack = stackIndex()[0]!;
    const agreeing = scaffold(['y', '--stack', stack.name, '--language', stack.language, '--database', stack.database ?? 'none'], dir);
    expect(agreeing.status, output(agreeing)).toBe(0);
    expect(agreeing.stdout).toContain(`stack ${stack.name}`);
  });

  it('choices that are exactly a stack give that stack', () => {
    const local = stackIndex().find((s) => s.local && s.language === 'python');
    expect(local, 'a local Python stack').toBeDefined();
    const dir = temp();
    const result = scaffold(['p', '--language', 'python'], dir);
    expect(result.status, output(result)).toBe(0);
    expect(result.stdout).toContain(`stack ${local!.name}`);
  });

  it('--help lists every provider of the engine registry; --version both versions; --list-stacks every stack', () => {
    const dir = temp();
    const help = scaffold(['--help'], dir);
    expect(help.status).toBe(0);
    for (const kind of KINDS) {
      const line = help.stdout.split('\n').find((l) => l.trimStart().startsWith(`--${kind} <provider>`));
      expect(line, kind).toBeDefined();
      for (const provider of Object.keys(registry[kind])) expect(line, `${kind} ${provider}`).toContain(provider);
    }
    const version = scaffold(['--version'], dir);
    const own = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as { version: string };
    const engine = JSON.parse(readFileSync(path.join(REPO, 'packages', 'fork-stack', 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(`create-fork-stack ${own.version} (fork-stack ${engine.version})`);
    const list = scaffold(['--list-stacks'], dir);
    expect(list.status).toBe(0);
    for (const stack of stackIndex()) expect(list.stdout).toContain(stack.name);
    expect(readdirSync(dir)).toEqual([]);
  });
});
