/**
 * Hostile input, names: environment names built to escape a path, run a shell command or end an SQL
 * identifier (property-based, fast-check), through the library and through the built CLI; naming
 * patterns and overrides full of shell and SQL syntax on the local stack and on a real PostgreSQL.
 * Every name is either rejected (exit 2, one clear message, nothing created anywhere) or used exactly
 * as named, inside its own place, and removed again by delete. No shell ever runs a payload.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { stringify } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { assertEnvName, renderPattern } from '../../src/core/names.js';
import { databaseName, envOfDatabase } from '../../src/providers/database/postgres/naming.js';
import { localProject, runCli, tempDir } from '../helpers/cli.js';
import { postgresBinariesOrSkip, startPostgres } from '../helpers/postgres-server.js';
import { LONG, recordFigures, scale, since, TIMEOUT_MS, type Figure } from './support/figures.js';
import { guardsFix, provesBug } from './support/bugs.js';
import { hostileString, NASTY, pwned, sane, tree } from './support/hostile.js';

const results: Record<string, Figure> = {};
afterAll(() => recordFigures('hostile', 'names', results));

const LOCAL_PATTERNS: [string, string][] = [
  ['.fork-stack/data/{project}.{env}.db', '.fork-stack/data'],
  ['.fork-stack/secrets/{env}.env', '.fork-stack/secrets'],
  ['.fork-stack/buckets/{project}-bucket-{env}', '.fork-stack/buckets'],
  ['.fork-stack/envs/{env}.env', '.fork-stack/envs'],
];

describe('hostile environment names', () => {
  it('library: every name is rejected as a usage error or stays inside every place it names', () => {
    const runs = scale(3_000, 60_000);
    let accepted = 0;
    const start = performance.now();
    const root = '/project';
    fc.assert(
      fc.property(hostileString, (name) => {
        let ok = false;
        try {
          assertEnvName(name);
          ok = true;
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as UsageError).exitCode).toBe(2);
          expect((error as UsageError).message).toMatch(/^invalid environment name /);
        }
        if (!ok) return;
        accepted++;
        expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
        for (const [pattern, dir] of LOCAL_PATTERNS) {
          expect(path.dirname(path.resolve(root, renderPattern(pattern, { project: 'app', env: name })))).toBe(path.resolve(root, dir));
        }
        for (const hyphens of ['underscore', 'keep'] as const) {
          const ctx = { project: 'app', options: { name: '{project}_{env}', names: {}, hyphens } } as unknown as Parameters<typeof databaseName>[0];
          const db = databaseName(ctx, name);
          // The name maps back to exactly this environment (list never confuses two environments)…
          expect(envOfDatabase(ctx, db)).toBe(name);
          // …and is a single quoted identifier.
          expect(pg.escapeIdentifier(db)).toBe(`"${db}"`);
        }
      }),
      { numRuns: runs }
    );
    results['library: assertEnvName + naming'] = { inputs: runs, accepted, rejected: runs - accepted, ms: since(start) };
  });

  it(
    'CLI: create <hostile name> exits 0 or 2, never crashes, never writes outside its place; delete undoes it',
    async () => {
      const project = localProject('app');
      const outside = path.dirname(project.dir);
      const baseline = tree(project.dir).filter((p) => !/^\.fork-stack\/(locks|meta)\/$/.test(p));
      const outsideBaseline = tree(outside).filter((p) => !p.startsWith('app/'));
      const names = [
        ...fc.sample(
          hostileString.filter((s) => !s.includes('\u0000')),
          { numRuns: scale(8, 120), seed: 42 }
        ),
        ...(LONG ? NASTY.filter((s) => !s.includes('\u0000')) : ['../escape', '$(touch pwned)', 'a;touch pwned']),
      ];
      const problems: string[] = [];
      let created = 0;
      let rejected = 0;
      const start = performance.now();
      try {
        for (const name of names) {
          const result = project.run(['create', name]);
          const problem = sane(result, [0, 2], name);
          if (problem) problems.push(`create ${JSON.stringify(name)}: ${problem}`);
          if (result.code === 0) {
            created++;
            const deleted = project.run(['delete', name, '--yes']);
            if (deleted.code !== 0) problems.push(`delete ${JSON.stringify(name)}: exit ${deleted.code}`);
          } else rejected++;
          const now = tree(project.dir).filter((p) => !/^\.fork-stack\/(locks|meta)\/$/.test(p));
          if (JSON.stringify(now) !== JSON.stringify(baseline))
            problems.push(`after ${JSON.stringify(name)} the project holds ${now.filter((p) => !baseline.includes(p)).join(', ') || 'fewer files'}`);
        }
        const outsideNow = tree(outside).filter((p) => !p.startsWith('app/'));
        expect(outsideNow).toEqual(outsideBaseline);
        expect(pwned(project.dir)).toEqual([]);
        expect(problems).toEqual([]);
        results['CLI: create <name>'] = { inputs: names.length, created, rejected, ms: since(start) };
      } finally {
        project.cleanup();
      }
    },
    TIMEOUT_MS
  );

  it(
    'local stack: paths full of shell syntax are used as literal file names, and no payload runs',
    async () => {
      const tmp = tempDir('fork-stack-hostile-paths-');
      const dir = path.join(tmp.dir, 'app');
      mkdirSync(dir);
      const weird = ` $(touch pwned) \`touch pwned\` ;touch pwned; '"é`;
      const dbPattern = `.fork-stack/data/{project}${weird}.{env}.db`;
      const bucketDir = `.fork-stack/buckets${weird}`;
      const secretsPattern = `.fork-stack/secrets${weird}/{env}.env`;
      writeFileSync(
        path.join(dir, 'fork-stack.toml'),
        stringify({
          project: 'app',
          roots: ['dev'],
          database: { provider: 'sqlite', path: dbPattern },
          storage: { uploads: { provider: 'fs', dir: bucketDir } },
          secrets: { provider: 'dotenv', path: secretsPattern },
        })
      );
      // The roots, made by hand at those names (as `init` would).
      const at = (p: string, env: string) => path.join(dir, p.replace('{project}', 'app').replace('{env}', env));
      mkdirSync(path.dirname(at(dbPattern, 'dev')), { recursive: true });
      writeFileSync(at(dbPattern, 'dev'), '');
      mkdirSync(path.join(dir, bucketDir, 'app-bucket-dev'), { recursive: true });
      writeFileSync(path.join(dir, bucketDir, 'app-bucket-dev', 'a.txt'), 'object');
      mkdirSync(path.dirname(at(secretsPattern, 'dev')), { recursive: true });
      writeFileSync(at(secretsPattern, 'dev'), 'TOKEN=t\n');
      try {
        const run = (args: string[]) => runCli(args, { cwd: dir });
        const created = run(['create', 'alice']);
        expect(sane(created, [0]), created.stderr).toBeUndefined();
        expect(existsSync(at(dbPattern, 'alice'))).toBe(true);
        expect(readFileSync(path.join(dir, bucketDir, 'app-bucket-alice', 'a.txt'), 'utf8')).toBe('object');
        expect(readFileSync(at(secretsPattern, 'alice'), 'utf8')).toMatch(/^TOKEN=t$/m);
        expect(sane(run(['switch', 'alice']), [0])).toBeUndefined();
        const env = JSON.parse(run(['env', '--format', 'json']).stdout) as Record<string, string>;
        expect(env.BUCKET_UPLOADS).toBe(path.join(dir, bucketDir, 'app-bucket-alice'));
        expect(decodeURIComponent(new URL(env.DATABASE_URL as string).pathname)).toBe(at(dbPattern, 'alice'));
        expect(sane(run(['delete', 'alice', '--yes']), [0])).toBeUndefined();
        expect(existsSync(at(dbPattern, 'alice'))).toBe(false);
        expect(pwned(tmp.dir)).toEqual([]);
        expect(existsSync(path.join(process.cwd(), 'pwned'))).toBe(false);
        results['local stack: shell syntax in paths'] = { patterns: 3, payloadsRun: pwned(tmp.dir).length };
      } finally {
        tmp.cleanup();
      }
    },
    TIMEOUT_MS
  );

  // Regression test for a bug this suite found, now fixed: local-delete-removes-foreign-file in support/bugs.ts.
  it(
    'local stack: delete never removes a file fork-stack did not create (names override pointing at an existing file)',
    guardsFix('local-delete-removes-foreign-file', () => {
      const project = localProject('app');
      const precious = path.join(path.dirname(project.dir), 'precious.db');
      writeFileSync(precious, 'not a database: somebody else’s file');
      const toml = readFileSync(path.join(project.dir, 'fork-stack.toml'), 'utf8');
      writeFileSync(
        path.join(project.dir, 'fork-stack.toml'),
        toml.replace('provider = "sqlite"\n', 'provider = "sqlite"\nnames = { alice = "../precious.db" }\n')
      );
      try {
        project.run(['create', 'alice']);
        project.run(['delete', 'alice', '--yes']);
        expect(existsSync(precious) && readFileSync(precious, 'utf8')).toBe('not a database: somebody else’s file');
      } finally {
        project.cleanup();
      }
    })
  );
});

const pgBinaries = postgresBinariesOrSkip();

describe.skipIf(!pgBinaries)('hostile database names on PostgreSQL', () => {
  it(
    'names overrides full of SQL and shell syntax create exactly that database or are refused; the parent and every other database are untouched',
    async () => {
      const server = await startPostgres();
      const tmp = tempDir('fork-stack-hostile-pg-');
      const dir = path.join(tmp.dir, 'app');
      mkdirSync(dir);
      const start = performance.now();
      try {
        await server.createDatabase('app_dev', { statements: ['CREATE TABLE t (id int PRIMARY KEY, v text)', "INSERT INTO t VALUES (1, 'parent row')"] });
        const databases = async () => (await server.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname')).map((r) => r.datname);
        const parentRows = async () => JSON.stringify(await server.query('SELECT * FROM t ORDER BY id', [], 'app_dev'));
        const before = await databases();
        const rowsBefore = await parentRows();
        const fixed = [`we"ird; DROP DATABASE app_dev; --`, `Robert'); DROP TABLE t;--`, `app_dev`, `postgres`, `$(touch pwned)`, `sp ace "q" é😀`];
        const overrides = [
          ...(LONG ? fixed : fixed.slice(0, 1)),
          ...fc.sample(
            hostileString.filter((s) => s.length > 0 && !s.includes('\u0000')),
            { numRuns: scale(0, 30), seed: 7 }
          ),
        ];
        const problems: string[] = [];
        let created = 0;
        let refused = 0;
        for (const override of overrides) {
          writeFileSync(
            path.join(dir, 'fork-stack.toml'),
            stringify({ project: 'app', roots: ['dev'], database: { provider: 'postgres', names: { alice: override } } })
          );
          const run = (args: string[]) => runCli(args, { cwd: dir, env: { DATABASE_ADMIN_URL: server.adminUrl } });
          const result = run(['create', 'alice']);
          const problem = sane(result, [0, 1, 2], override);
          if (problem) problems.push(`${JSON.stringify(override)}: ${problem}`);
          const after = await databases();
          if (result.code === 0) {
            created++;
            const added = after.filter((d) => !before.includes(d));
            if (JSON.stringify(added) !== JSON.stringify([override])) problems.push(`${JSON.stringify(override)}: created ${JSON.stringify(added)}`);
            const deleted = run(['delete', 'alice', '--yes']);
            if (deleted.code !== 0) problems.push(`${JSON.stringify(override)}: delete exit ${deleted.code}: ${deleted.stderr}`);
          } else {
            refused++;
            if (JSON.stringify(after) !== JSON.stringify(before))
              problems.push(`${JSON.stringify(override)}: refused, yet databases changed: ${after.join(', ')}`);
          }
          if (JSON.stringify(await databases()) !== JSON.stringify(before)) problems.push(`${JSON.stringify(override)}: databases differ after delete`);
          if ((await parentRows()) !== rowsBefore) problems.push(`${JSON.stringify(override)}: the parent's rows changed`);
        }
        expect(problems).toEqual([]);
        expect(pwned(tmp.dir)).toEqual([]);
        results['postgres: names overrides'] = { inputs: overrides.length, created, refused, ms: since(start) };
      } finally {
        tmp.cleanup();
        await server.stop();
      }
    },
    TIMEOUT_MS
  );
});
