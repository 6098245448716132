/**
 * Versions stay in step (docs/versioning.md): each package's manifest, its changelog's newest entry and
 * what the code reports; and every reader states the variables contract the conformance vectors carry.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { CONTRACT_VERSION, VERSION } from '../../packages/fork-stack/src/version.js';
import { PROVIDER_API_VERSION } from '../../packages/fork-stack/src/providers/package-api.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');
const json = (file: string) => JSON.parse(read(file)) as Record<string, unknown>;
const toml = (file: string) => parseToml(read(file)) as Record<string, Record<string, unknown>>;
/** semver.org's regular expression (2.0.0), without build metadata. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;

/** The newest entry of a CHANGELOG.md: its first "## <version>" heading. */
function newestChangelogEntry(file: string): string | undefined {
  return /^## (\S+)/m.exec(read(file))?.[1];
}

/** The highest conformance/v<major>/ folder and the version its VERSION file states. */
function conformanceVersion(): { folder: string; version: string } {
  const majors = readdirSync(path.join(REPO, 'conformance'))
    .map((name) => /^v(\d+)$/.exec(name)?.[1])
    .filter((m): m is string => m !== undefined)
    .map(Number)
    .sort((a, b) => b - a);
  const folder = `v${majors[0]}`;
  return { folder, version: read(`conformance/${folder}/VERSION`).trim() };
}

describe('npm packages', () => {
  const engine = json('packages/fork-stack/package.json');

  it('fork-stack: package.json, src/version.ts, the CHANGELOG and --version agree', () => {
    expect(engine.version).toMatch(SEMVER);
    expect(VERSION).toBe(engine.version);
    expect(newestChangelogEntry('packages/fork-stack/CHANGELOG.md')).toBe(engine.version);
    const cli = path.join(REPO, 'packages/fork-stack/dist/cli.js');
    const result = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(`fork-stack ${VERSION} (variables contract ${CONTRACT_VERSION})`);
  });

  it('create-fork-stack: package.json and CHANGELOG agree; it depends on the fork-stack of this checkout', () => {
    const scaffolder = json('packages/create-fork-stack/package.json');
    expect(scaffolder.version).toMatch(SEMVER);
    expect(newestChangelogEntry('packages/create-fork-stack/CHANGELOG.md')).toBe(scaffolder.version);
    // changesets (updateInternalDependencies) rewrites this range whenever fork-stack is released.
    expect((scaffolder.dependencies as Record<string, string>)['fork-stack']).toBe(`^${String(engine.version)}`);
  });
});

describe('the provider kit', () => {
  it('@fork-stack/provider-kit: package.json and CHANGELOG agree; it speaks the provider API this fork-stack checks', () => {
    const kit = json('packages/provider-kit/package.json');
    expect(kit.version).toMatch(SEMVER);
    expect(newestChangelogEntry('packages/provider-kit/CHANGELOG.md')).toBe(kit.version);
    expect(read('packages/provider-kit/CHANGELOG.md')).toContain(`provider API ${PROVIDER_API_VERSION}`);
    // The kit's ./testing entry drives the engine of the fork-stack it is installed beside.
    expect((kit.peerDependencies as Record<string, string>)['fork-stack']).toBe('>=0.1.0');
  });
});

describe('language readers', () => {
  it('python: pyproject.toml [project].version is the newest CHANGELOG entry', () => {
    const version = toml('templates/base/python/pyproject.toml').project?.version;
    expect(version).toMatch(SEMVER);
    expect(newestChangelogEntry('templates/base/python/CHANGELOG.md')).toBe(version);
  });

  it('rust: Cargo.toml [package].version is the newest CHANGELOG entry', () => {
    const version = toml('templates/base/rust/Cargo.toml').package?.version;
    expect(version).toMatch(SEMVER);
    expect(newestChangelogEntry('templates/base/rust/CHANGELOG.md')).toBe(version);
  });

  it('go: the newest CHANGELOG entry is a version to tag, and go.mod is the path the README installs', () => {
    const version = newestChangelogEntry('templates/base/go/CHANGELOG.md');
    expect(version).toMatch(SEMVER);
    const module = /^module (\S+)$/m.exec(read('templates/base/go/go.mod'))?.[1];
    expect(module).toBe('github.com/fork-stack/fork-stack/templates/base/go');
    // Modules in a subdirectory are tagged "<dir>/v<version>"; from v2 on the path needs a /vN suffix.
    expect(Number(version?.split('.')[0])).toBeLessThan(2);
    expect(read('templates/base/go/CHANGELOG.md')).toContain(`templates/base/go/v`);
  });

  it('each README shows its one-line install', () => {
    expect(read('templates/base/typescript/README.md')).toMatch(/^npm install fork-stack$/m);
    expect(read('templates/base/python/README.md')).toMatch(
      /^pip install "git\+https:\/\/github\.com\/fork-stack\/fork-stack#subdirectory=templates\/base\/python"$/m,
    );
    expect(read('templates/base/go/README.md')).toMatch(/^go get github\.com\/fork-stack\/fork-stack\/templates\/base\/go\/envutils$/m);
    const crate = toml('templates/base/rust/Cargo.toml').package?.name;
    expect(read('templates/base/rust/README.md')).toMatch(new RegExp(`^cargo add ${String(crate)} --git https://github\\.com/fork-stack/fork-stack$`, 'm'));
  });
});

describe('the variables contract', () => {
  const { folder, version } = conformanceVersion();

  it('the newest conformance folder carries the version the engine implements', () => {
    expect(version).toMatch(/^\d+(\.\d+)?$/);
    expect(folder).toBe(`v${version.split('.')[0]}`);
    expect(CONTRACT_VERSION).toBe(version);
  });

  it('every vector file names that contract', () => {
    const files = readdirSync(path.join(REPO, 'conformance', folder)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect((json(`conformance/${folder}/${file}`) as { contract?: string }).contract, file).toBe(version);
  });

  it('every reader states it implements that contract', () => {
    const stated: Record<string, RegExp> = {
      'templates/base/python/env_utils.py': /^CONTRACT_VERSION = "([^"]+)"$/m,
      'templates/base/go/envutils/envutils.go': /^const ContractVersion = "([^"]+)"$/m,
      'templates/base/rust/src/env_utils.rs': /^pub const CONTRACT_VERSION: &str = "([^"]+)";$/m,
    };
    for (const [file, pattern] of Object.entries(stated)) {
      expect(existsSync(path.join(REPO, file)), file).toBe(true);
      expect(pattern.exec(read(file))?.[1], file).toBe(version);
    }
    const major = version.split('.')[0];
    for (const manifest of ['templates/base/python/pyproject.toml', 'templates/base/rust/Cargo.toml']) {
      expect(read(manifest), manifest).toContain(`(contract v${major})`);
    }
    for (const changelog of ['templates/base/python/CHANGELOG.md', 'templates/base/go/CHANGELOG.md', 'templates/base/rust/CHANGELOG.md']) {
      // The newest entry says which contract that release implements.
      const newest = read(changelog).split(/^## /m)[1] ?? '';
      expect(newest, changelog).toContain(`Implements variables contract ${version}.`);
    }
  });
});
