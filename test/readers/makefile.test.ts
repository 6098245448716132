/**
 * Makefile.base in every template: `make envs-new alice` and friends call the CLI with the name that
 * follows the target, a missing name is a usage error, and other goals keep make's own errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { output, requireToolchain, run, TEMPLATES, toolchain } from './toolchain.js';

const make = toolchain('make', ['--version'], 'apt-get install make');
const LANGUAGES = ['python', 'go', 'rust', 'typescript'];
const dir = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-make-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A fake CLI that prints its arguments, one per line.
const FAKE = `${path.join(dir, 'fake.sh')}`;
writeFileSync(FAKE, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
writeFileSync(path.join(dir, 'Makefile'), `include ${path.join(TEMPLATES, 'python', 'Makefile.base')}\n\nbuild:\n\t@echo building\n`);

function makeRun(args: string[]) {
  return run('make', ['--no-print-directory', '-s', ...args, `FORK_STACK=/bin/sh ${FAKE}`], dir);
}

describe('Makefile.base', () => {
  it('is the same file in every language template', () => {
    const texts = LANGUAGES.map((l) => readFileSync(path.join(TEMPLATES, l, 'Makefile.base'), 'utf8'));
    for (const text of texts) expect(text).toBe(texts[0]);
  });

  it.for([
    [['envs-new', 'alice'], ['create', 'alice', '--switch']],
    [['envs-new', 'pr-12', 'FROM=prod'], ['create', 'pr-12', '--switch', '--from', 'prod']],
    [['envs-new', 'NAME=bob'], ['create', 'bob', '--switch']],
    [['envs-switch', 'alice'], ['switch', 'alice']],
    [['envs-delete', 'alice'], ['delete', 'alice']],
    [['envs-delete', 'alice', 'YES=1'], ['delete', 'alice', '--yes']],
    [['envs-list'], ['list']],
    [['envs-current'], ['current']],
  ] as const)('make %j runs the CLI with %j', ([args, expected], { skip }) => {
    requireToolchain(make, skip);
    const result = makeRun([...args]);
    expect(result.status, output(result)).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(expected);
  });

  it('a missing name is a usage error that shows how to call it', ({ skip }) => {
    requireToolchain(make, skip);
    const result = makeRun(['envs-new']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('usage: make envs-new <env>');
  });

  it('leaves the project\'s other targets and typos alone', ({ skip }) => {
    requireToolchain(make, skip);
    expect(makeRun(['build']).stdout.trim()).toBe('building');
    const typo = makeRun(['biuld']);
    expect(typo.status).not.toBe(0);
    expect(typo.stderr).toContain("No rule to make target 'biuld'");
  });
});
