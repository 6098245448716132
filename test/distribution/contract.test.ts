/**
 * The contract-version check (docs/versioning.md): a project whose fork-stack.toml asks for a newer
 * variables contract than the CLI implements gets one warning on stderr; the command still runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contractWarning, isNewerContract, parseContractVersion } from '../../packages/fork-stack/src/core/contract.js';
import { CONTRACT_VERSION } from '../../packages/fork-stack/src/version.js';
import { localProject } from '../../packages/fork-stack/test/helpers/cli.js';

describe('contract versions', () => {
  it('parses "1" and "1.2" and orders them numerically', () => {
    expect(parseContractVersion('1')).toEqual([1, 0]);
    expect(parseContractVersion('1.2')).toEqual([1, 2]);
    expect(() => parseContractVersion('v1')).toThrow(/not a contract version/);
    expect(isNewerContract('2', '1')).toBe(true);
    expect(isNewerContract('1.1', '1')).toBe(true);
    expect(isNewerContract('1.10', '1.9')).toBe(true);
    expect(isNewerContract('1', '1')).toBe(false);
    expect(isNewerContract('1.0', '1')).toBe(false);
    expect(isNewerContract('1', '1.3')).toBe(false);
    expect(isNewerContract('0.9', '1')).toBe(false);
  });

  it('warns only about a newer contract, naming both versions and the fix', () => {
    expect(contractWarning(undefined, 'fork-stack.toml', '1', '0.1.0')).toBeUndefined();
    expect(contractWarning('1', 'fork-stack.toml', '1', '0.1.0')).toBeUndefined();
    const warning = contractWarning('2', 'fork-stack.toml', '1', '0.1.0');
    expect(warning).toContain('fork-stack.toml asks for variables contract 2');
    expect(warning).toContain('fork-stack 0.1.0 implements contract 1');
    expect(warning).toContain('npm install -D fork-stack@latest');
    expect(warning).toContain('docs/versioning.md');
  });
});

describe('the CLI warns when fork-stack.toml asks for a newer contract', () => {
  const project = localProject('contract-app');
  afterAll(() => project.cleanup());
  const config = path.join(project.dir, 'fork-stack.toml');
  const base = readFileSync(config, 'utf8').replace(/^contract = .*\n/m, '');
  const withContract = (version: string | undefined) =>
    writeFileSync(config, version === undefined ? base : base.replace(/^(project = .*\n)/m, `$1contract = "${version}"\n`));

  it('prints one warning on stderr and still succeeds (text and --json)', () => {
    withContract(String(Number(CONTRACT_VERSION) + 1));
    const list = project.run(['list']);
    expect(list.code, list.stderr).toBe(0);
    const warnings = list.stderr.match(/warning: fork-stack\.toml asks for variables contract \d+/g) ?? [];
    expect(warnings).toHaveLength(1);
    expect(list.stdout).toContain('dev');

    // A command that changes state also runs, and --json keeps stdout machine-readable.
    const create = project.run(['create', 'alice', '--json']);
    expect(create.code, create.stderr).toBe(0);
    expect(() => JSON.parse(create.stdout)).not.toThrow();
    expect(create.stderr.match(/asks for variables contract/g) ?? []).toHaveLength(1);
  });

  it('says nothing for the same, an older, or no contract', () => {
    for (const version of [CONTRACT_VERSION, '0.1', undefined]) {
      withContract(version);
      const list = project.run(['list']);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stderr).not.toContain('contract');
    }
  });
});
