/**
 * fork-stack/runtime beyond the vectors: the module-level API, EnvConfig as a plug-in point, setSecret
 * through the real built CLI, and the bundle's promise of zero dependencies.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as runtime from '../../src/runtime/index.js';
import { EnvConfig, ForkStackRuntimeError } from '../../src/runtime/index.js';
import { CLI, cleanEnv, PACKAGE_DIR } from '../helpers/cli.js';

let dirs: string[] = [];
function project(toml = 'project = "myapp"\n'): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fork-stack-runtime-')));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'fork-stack.toml'), toml);
  return dir;
}
afterEach(() => {
  runtime.setDefaultEnvConfig(new EnvConfig());
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('module-level functions', () => {
  it('take { cwd, env } overrides and need no global state', () => {
    const cwd = project('project = "shop"\n[database]\nprovider = "turso"\n[cache]\nprovider = "redis"\n');
    const options = { cwd, env: { ENV: 'Production' } };
    expect(runtime.getCurrentEnv(options)).toBe('prod');
    expect(runtime.getProjectName(options)).toBe('shop');
    expect(runtime.getProjectRoot(options)).toBe(cwd);
    expect(runtime.getDatabaseUrl(options)).toBe('libsql://shop.turso.io');
    expect(runtime.getBucketName(undefined, options)).toBe('shop-bucket-prod');
    expect(runtime.getCacheKeyPrefix(options)).toBe('shop:prod:');
    expect(runtime.getS3Key('avatars', 'a.png', options)).toBe('avatars/a.png');
    expect(runtime.lookupSecret('NOPE', options)).toBeUndefined();
    expect(runtime.CONTRACT_VERSION).toBe('1');
  });

  it('errors carry a stable code and a message naming the fix', () => {
    const cwd = project();
    const error = (() => {
      try {
        runtime.getDatabaseUrl({ cwd, env: { FORK_STACK_ENV: 'alice' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ForkStackRuntimeError);
    expect(error).toMatchObject({ code: 'missing-value' });
    expect((error as Error).message).toMatch(/DATABASE_URL is not set for environment "alice".*fork-stack switch alice/);
  });
});

describe('EnvConfig as a plug-in point', () => {
  class PlanetscaleConfig extends EnvConfig {
    override getDatabaseUrl(): string {
      return `mysql://aws.connect.psdb.cloud/${this.getProjectName()}-${this.getCurrentEnv()}`;
    }
  }

  it('a subclass overrides one accessor and keeps the others', () => {
    const cwd = project();
    const config = new PlanetscaleConfig({ cwd, env: { ENV: 'alice' } });
    expect(config.getDatabaseUrl()).toBe('mysql://aws.connect.psdb.cloud/myapp-alice');
    expect(config.getBucketName()).toBe('myapp-bucket-alice');
  });

  it('setDefaultEnvConfig makes the module functions use it, options included', () => {
    const cwd = project();
    runtime.setDefaultEnvConfig(new PlanetscaleConfig({ cwd, env: { ENV: 'bob' } }));
    expect(runtime.getDatabaseUrl()).toBe('mysql://aws.connect.psdb.cloud/myapp-bob');
    expect(runtime.getDatabaseUrl({ env: { ENV: 'carol' } })).toBe('mysql://aws.connect.psdb.cloud/myapp-carol');
    expect(runtime.getDefaultEnvConfig()).toBeInstanceOf(PlanetscaleConfig);
  });

  it('reads files afresh on every call (a switch in another terminal takes effect)', () => {
    const cwd = project();
    const config = new EnvConfig({ cwd, env: {} });
    expect(config.getCurrentEnv()).toBe('dev');
    writeFileSync(path.join(cwd, '.current-env'), 'alice\n');
    expect(config.getCurrentEnv()).toBe('alice');
  });
});

describe('setSecret through the real CLI', () => {
  it('stores the value exactly (trailing newline included) and the reader reads it back', async () => {
    const cwd = project();
    const env = cleanEnv({ FORK_STACK_CLI: `${process.execPath} ${CLI}` }) as Record<string, string>;
    const init = spawnSync(process.execPath, [CLI, 'init', '--yes', '--secrets', 'dotenv', '--force'], { cwd, env, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const value = 'line1\n"quoted" $HOME it\'s\n';
    const config = new EnvConfig({ cwd: path.join(cwd), env });
    await config.setSecret('PEM_KEY', value);
    expect(config.getSecret('PEM_KEY')).toBe(value);
    const get = spawnSync(process.execPath, [CLI, 'secrets', 'get', 'PEM_KEY', '--json'], { cwd, env, encoding: 'utf8' });
    expect(JSON.parse(get.stdout)).toMatchObject({ env: 'dev', key: 'PEM_KEY', value });
  });

  it("setSecret('K', 'abc\\r') stores abc\\r exactly, not abc (a trailing carriage return survives the CLI's line-end drop)", async () => {
    const cwd = project();
    const env = cleanEnv({ FORK_STACK_CLI: `${process.execPath} ${CLI}` }) as Record<string, string>;
    const init = spawnSync(process.execPath, [CLI, 'init', '--yes', '--secrets', 'dotenv', '--force'], { cwd, env, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const config = new EnvConfig({ cwd, env });
    for (const value of ['abc\r', 'crlf\r\n', '\r', 'cr\rinside']) {
      await config.setSecret('K', value);
      expect(config.getSecret('K'), JSON.stringify(value)).toBe(value);
    }
  });

  it('a CLI that cannot start is cli-failed, naming FORK_STACK_CLI', async () => {
    const cwd = project();
    const config = new EnvConfig({ cwd, env: { FORK_STACK_CLI: path.join(cwd, 'no-such-cli') } });
    await expect(config.setSecret('A', 'b')).rejects.toMatchObject({ code: 'cli-failed', message: expect.stringContaining('FORK_STACK_CLI') });
  });
});

describe('the built fork-stack/runtime bundle', () => {
  it.each(['runtime.js', 'runtime.cjs'])('%s imports only Node built-ins', (file) => {
    const text = readFileSync(path.join(PACKAGE_DIR, 'dist', file), 'utf8');
    const specifiers = [...text.matchAll(/(?:from\s+|require\()\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
    expect(specifiers.length).toBeGreaterThan(0);
    const builtins = new Set(['fs', 'path', 'child_process', 'url', 'os']);
    expect(specifiers.filter((s) => !builtins.has(s.replace(/^node:/, '')))).toEqual([]);
  });

  it('works from CommonJS and ESM', () => {
    const cwd = project();
    for (const [flag, code] of [
      ['--input-type=commonjs', `const r = require(${JSON.stringify(path.join(PACKAGE_DIR, 'dist', 'runtime.cjs'))}); console.log(r.getBucketName())`],
      ['--input-type=module', `const r = await import(${JSON.stringify(path.join(PACKAGE_DIR, 'dist', 'runtime.js'))}); console.log(r.getBucketName())`],
    ] as const) {
      const result = spawnSync(process.execPath, [flag, '-e', code], { cwd, env: cleanEnv({ ENV: 'alice' }), encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('myapp-bucket-alice');
    }
  });
});
