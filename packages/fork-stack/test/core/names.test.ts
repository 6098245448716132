import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envFromName, envNameProblem, normaliseEnvValue, renderPattern, resourceNameFor } from '../../src/core/names.js';

describe('environment names', () => {
  it.each([
    ['alice', undefined],
    ['pr-123', undefined],
    ['a', undefined],
    ['', /empty/],
    ['Alice', /upper-case/],
    ['a b', /" "/],
    ['-x', /start with/],
    ['../x', /start with/],
    ['a/../b', /"\/"/],
    ['a--b', /two hyphens/],
    ['a-', /end with/],
    ['x'.repeat(49), /limit is 48/],
    ['1abc', /start with/],
    ['a;rm', /";"/],
    ["a'b", /"'"/],
  ])('%j', (name, problem) => {
    const result = envNameProblem(name);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(problem);
  });

  it('property: every accepted name is safe in paths, shells, SQL identifiers and URLs', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (name) => {
        if (envNameProblem(name) === undefined) {
          expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
          expect(encodeURIComponent(name)).toBe(name);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('normalises like the readers', () => {
    expect(normaliseEnvValue(' Production ')).toBe('prod');
    expect(normaliseEnvValue('DEVELOPMENT')).toBe('dev');
    expect(normaliseEnvValue('Alice')).toBe('alice');
  });
});

describe('naming patterns', () => {
  it('renders and inverts', () => {
    expect(renderPattern('{project}-bucket-{env}', { project: 'app', env: 'alice' })).toBe('app-bucket-alice');
    expect(envFromName('{project}-bucket-{env}', { project: 'app' }, 'app-bucket-pr-12')).toBe('pr-12');
    expect(envFromName('{project}-bucket-{env}', { project: 'app' }, 'other-bucket-x')).toBeUndefined();
    expect(envFromName('{project}-{env}', { project: 'app' }, 'app', { prod: 'app' })).toBe('prod');
    expect(resourceNameFor('{project}-{env}', { project: 'app' }, 'prod', { prod: '{project}' })).toBe('app');
  });
  it('property: envFromName inverts resourceNameFor', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z](?:-?[a-z0-9]){0,20}$/), (env) => {
        expect(envFromName('{project}.{env}.db', { project: 'my-app' }, resourceNameFor('{project}.{env}.db', { project: 'my-app' }, env))).toBe(env);
      }),
    );
  });
});
