/**
 * Seeds end to end on the local stack (fs + dotenv): the built CLI's `init` creates the root, copies
 * seed_dir into its bucket and seed_file's defaults into its secrets, says so in --json; a bad seed is
 * exit 2 with nothing created.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli, tempDir } from '../helpers/cli.js';

const TOML = (extraStorage = 'seed_dir = "seed/uploads"', extraSecrets = 'seed_file = "seed/secrets.env"') => `project = "seedy"
default_parent = "dev"
roots = ["dev"]

[database]
provider = "sqlite"

[storage.uploads]
provider = "fs"
${extraStorage}

[secrets]
provider = "dotenv"
${extraSecrets}
`;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function project(toml: string): string {
  const tmp = tempDir('fork-stack-seeds-');
  cleanup = tmp.cleanup;
  const dir = path.join(tmp.dir, 'app');
  mkdirSync(path.join(dir, 'seed/uploads/avatars/nested'), { recursive: true });
  writeFileSync(path.join(dir, 'fork-stack.toml'), toml);
  writeFileSync(path.join(dir, 'seed/uploads/logo.txt'), 'logo');
  writeFileSync(path.join(dir, 'seed/uploads/avatars/nested/ünï côde.txt'), 'avatar');
  writeFileSync(path.join(dir, 'seed/secrets.env'), 'FEATURE_FLAGS="beta,new-ui"\nSUPPORT_EMAIL=help@example.com\n');
  return dir;
}

const bucket = (dir: string, env: string) => path.join(dir, '.fork-stack/buckets', `seedy-bucket-${env}`);

describe('seeds on the local stack', () => {
  it('init seeds a new root bucket and its secrets, reports it in --json, and create forks the seeded root', () => {
    const dir = project(TOML());
    const init = runCli(['init', '--json'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    const result = JSON.parse(init.stdout) as { seeded: { slot: string; env: string; objects?: number; keys?: string[]; kept?: string[] }[] };
    expect(result.seeded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ slot: 'storage.uploads', env: 'dev', source: 'seed/uploads', objects: 2, bytes: 10 }),
        expect.objectContaining({ slot: 'secrets', env: 'dev', source: 'seed/secrets.env', keys: ['FEATURE_FLAGS', 'SUPPORT_EMAIL'], kept: [] }),
      ]),
    );
    expect(readFileSync(path.join(bucket(dir, 'dev'), 'logo.txt'), 'utf8')).toBe('logo');
    expect(readFileSync(path.join(bucket(dir, 'dev'), 'avatars/nested/ünï côde.txt'), 'utf8')).toBe('avatar');
    const env = runCli(['env', 'dev', '--format', 'json', '--reveal'], { cwd: dir });
    expect(JSON.parse(env.stdout)).toMatchObject({ FEATURE_FLAGS: 'beta,new-ui', SUPPORT_EMAIL: 'help@example.com' });

    // Running init again finds the root and never seeds it twice (a changed seed file is not re-applied).
    writeFileSync(path.join(dir, 'seed/secrets.env'), 'SUPPORT_EMAIL=changed@example.com\n');
    const again = runCli(['init', '--json'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).seeded).toEqual([]);

    const create = runCli(['create', 'alice', '--json'], { cwd: dir });
    expect(create.code, create.stderr).toBe(0);
    expect(readFileSync(path.join(bucket(dir, 'alice'), 'logo.txt'), 'utf8')).toBe('logo');
    const alice = JSON.parse(runCli(['env', 'alice', '--format', 'json', '--reveal'], { cwd: dir }).stdout);
    expect(alice.SUPPORT_EMAIL).toBe('help@example.com');
  });

  it('a missing seed_dir is exit 2 naming the path, before any root is created', () => {
    const dir = project(TOML('seed_dir = "seed/nope"'));
    const init = runCli(['init'], { cwd: dir });
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/\[storage\.uploads\] seed_dir = "seed\/nope": does not exist/);
    expect(hasStackTrace(init.stderr)).toBe(false);
    expect(existsSync(path.join(dir, '.fork-stack/data'))).toBe(false);
    expect(existsSync(path.join(dir, '.fork-stack/buckets'))).toBe(false);
    expect(existsSync(path.join(dir, '.fork-stack/secrets'))).toBe(false);
  });

  it('doctor checks the seeds: a missing seed_dir fails naming the path, a good one is counted', () => {
    const dir = project(TOML('seed_dir = "seed/nope"'));
    const bad = runCli(['doctor', '--json'], { cwd: dir });
    expect(bad.code).toBe(1);
    // The result document comes first on stdout (the failure's own JSON follows it).
    const sections = JSON.parse(bad.stdout.slice(0, bad.stdout.indexOf('\n}\n') + 2)).sections as { slot: string; checks: { name: string; status: string; message: string }[] }[];
    const check = (slot: string) => sections.find((s) => s.slot === slot)?.checks.find((c) => c.name === 'seed');
    expect(check('storage.uploads')).toMatchObject({ status: 'fail', message: expect.stringMatching(/seed_dir = "seed\/nope": does not exist/) });
    expect(check('secrets')).toMatchObject({ status: 'ok', message: 'seed/secrets.env: 2 defaults, written into a root init creates' });
  });

  it('a missing seed_file is exit 2 naming the path, before any root is created', () => {
    const dir = project(TOML(undefined, 'seed_file = "seed/missing.env"'));
    const init = runCli(['init'], { cwd: dir });
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/\[secrets\] seed_file = "seed\/missing.env": does not exist/);
    expect(existsSync(path.join(dir, '.fork-stack/buckets'))).toBe(false);
  });

  it('a seed_file that is not valid dotenv is exit 2 naming the file and line', () => {
    const dir = project(TOML());
    writeFileSync(path.join(dir, 'seed/secrets.env'), 'OK=1\nthis is not an assignment\n');
    const init = runCli(['init'], { cwd: dir });
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/seed_file = "seed\/secrets.env": line 2/);
    expect(existsSync(path.join(dir, '.fork-stack/buckets'))).toBe(false);
  });

  it('a seed_dir with a symlink escaping the directory is refused (exit 2) and nothing is created or copied', () => {
    const dir = project(TOML());
    writeFileSync(path.join(dir, 'private.key'), 'TOP SECRET');
    symlinkSync(path.join(dir, 'private.key'), path.join(dir, 'seed/uploads/avatars/innocent.png'));
    const init = runCli(['init'], { cwd: dir });
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/avatars\/innocent\.png is a symlink that leads outside the seed directory/);
    expect(existsSync(path.join(dir, '.fork-stack/buckets'))).toBe(false);
  });

  it('seed_dir = "." (the project root, holding .fork-stack/) is refused: it would copy secrets and databases into the bucket', () => {
    const dir = project(TOML('seed_dir = "."'));
    const init = runCli(['init'], { cwd: dir });
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/seed_dir = "\.": holds fork-stack's own state/);
    expect(existsSync(path.join(dir, '.fork-stack/buckets'))).toBe(false);
  });

  it('an unknown seed key is a config error listing the known keys', () => {
    const dir = project(TOML('seed_directory = "seed/uploads"'));
    const init = runCli(['init'], { cwd: dir });
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/seed_directory: unknown key/);
  });
});
