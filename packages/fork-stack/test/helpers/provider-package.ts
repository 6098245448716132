/**
 * An out-of-tree provider package as its users get it: @fork-stack/provider-kit and the fixture package
 * (test/fixtures/out-of-tree-provider) packed with `npm pack` and unpacked from the tarballs into a fresh
 * project's node_modules, as npm installs them. No registry: the kit's dependencies (zod, ajv,
 * ajv-formats) and its peers for the `./testing` entry (fork-stack, vitest, as a provider package's own
 * devDependencies) are linked in from this checkout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_DIR } from './cli.js';

const REPO = path.resolve(PACKAGE_DIR, '..', '..');
export const KIT_DIR = path.join(REPO, 'packages', 'provider-kit');
export const FIXTURE_DIR = path.join(PACKAGE_DIR, 'test', 'fixtures', 'out-of-tree-provider');
export const FIXTURE_NAME = 'fork-stack-provider-jsondb';

function npm(args: string[], cwd: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const key of ['npm_config_workspace', 'npm_config_workspaces', 'INIT_CWD']) delete env[key];
  const result = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} in ${cwd} failed (${result.status}):\n${result.stdout}\n${result.stderr}`.slice(-4000));
  return result.stdout;
}

function pack(dir: string, destination: string): string {
  // --ignore-scripts: the kit's dist/ is built by `npm run build` before the tests (its prepack would
  // rebuild it under the other tests that import it).
  const stdout = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', destination], dir);
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string }[];
  return path.join(destination, (packed as { filename: string }).filename);
}

export interface InstalledProject {
  /** The project folder: package.json, node_modules with the kit and the provider package. */
  dir: string;
  /** Write a package straight into node_modules (the broken packages the error tests need). */
  fakePackage(name: string, files: Record<string, string>): void;
  cleanup(): void;
}

export function installProviderPackage(): InstalledProject {
  if (!existsSync(path.join(KIT_DIR, 'dist', 'testing.js'))) throw new Error(`${KIT_DIR}/dist is missing: run "npm run build" first`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-provider-package-'));
  const dir = path.join(tmp, 'app');
  mkdirSync(dir);
  const kit = pack(KIT_DIR, tmp);
  const fixture = pack(FIXTURE_DIR, tmp);
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  for (const [name, tarball] of [
    ['@fork-stack/provider-kit', kit],
    [FIXTURE_NAME, fixture],
  ] as const) {
    const target = path.join(dir, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed: ${untar.stderr}`);
  }
  for (const name of ['zod', 'ajv', 'ajv-formats', 'vitest']) symlinkSync(path.join(REPO, 'node_modules', name), path.join(dir, 'node_modules', name), 'dir');
  symlinkSync(PACKAGE_DIR, path.join(dir, 'node_modules', 'fork-stack'), 'dir');
  return {
    dir,
    fakePackage(name, files) {
      for (const [file, text] of Object.entries(files)) {
        const target = path.join(dir, 'node_modules', name, file);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, text);
      }
    },
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
