/**
 * A provider from its own npm package (docs/contributing/add-backend.md, "Out of tree"): the fixture
 * package test/fixtures/out-of-tree-provider, built on @fork-stack/provider-kit alone, installed into a
 * project from its tarball, configured as `provider = "npm:fork-stack-provider-jsondb"`, driven through
 * the built CLI, and held to the shared contract suites taken from the installed kit's `./testing`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OperationError, UsageError } from '../../src/core/errors.js';
import { registerSecret } from '../../src/core/scrub.js';
import { PROVIDER_API_VERSION } from '../../src/providers/package-api.js';
import type { Provider, ProviderContext, ProviderSchemaModule } from '../../src/providers/types.js';
import { hasStackTrace, runCli } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { FIXTURE_NAME, installProviderPackage } from '../helpers/provider-package.js';

const installed = installProviderPackage();
afterAll(() => installed.cleanup());
const modules = path.join(installed.dir, 'node_modules');
const load = async <T>(file: string) => (await import(pathToFileURL(path.join(modules, file)).href)) as T;

// Everything below comes from the installed packages, not from this checkout's sources.
const testing = await load<typeof import('../helpers/provider-contract.js') & typeof import('../helpers/ownership-contract.js')>('@fork-stack/provider-kit/dist/testing.js');
const kit = await load<typeof import('../../src/core/errors.js') & typeof import('../../src/core/scrub.js') & typeof import('../../src/core/http.js')>('@fork-stack/provider-kit/dist/index.js');
const { provider } = await load<{ provider: Provider<unknown> }>(`${FIXTURE_NAME}/provider.js`);
const schemaModule = await load<ProviderSchemaModule>(`${FIXTURE_NAME}/schema.js`);

const SPEC = `npm:${FIXTURE_NAME}`;
const config = (body: string) => `project = "app"\n\n${body.trim()}\n`;

/** A project folder under the installed one: its packages resolve by walking up to node_modules. */
function project(name: string, toml: string): { dir: string; run: (args: string[]) => ReturnType<typeof runCli> } {
  const dir = path.join(installed.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'fork-stack.toml'), toml);
  return { dir, run: (args) => runCli(args, { cwd: dir }) };
}

function expectUsageError(result: ReturnType<typeof runCli>, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(hasStackTrace(result.stderr), result.stderr).toBe(false);
}

describe('a provider from an installed package, through the CLI', () => {
  it('init, create, list, env and delete with provider = "npm:fork-stack-provider-jsondb"', () => {
    const app = project('cli', config(`[database]\nprovider = "${SPEC}"\ndir = "data"`));
    const init = app.run(['init']);
    expect(init.code, init.stderr).toBe(0);
    const tables = path.join(app.dir, 'data');
    writeFileSync(path.join(tables, 'app-dev', 'users.json'), '[{"id":1,"name":"ada"}]\n');

    const create = app.run(['create', 'alice']);
    expect(create.code, create.stderr).toBe(0);
    expect(readFileSync(path.join(tables, 'app-alice', 'users.json'), 'utf8')).toBe('[{"id":1,"name":"ada"}]\n');
    expect(JSON.parse(readFileSync(path.join(tables, 'app-alice', 'fork-stack.json'), 'utf8'))).toMatchObject({ project: 'app', env: 'alice', parent: 'dev' });

    const list = app.run(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('"alice"');
    expect(list.stdout).toContain('"dev"');
    const env = app.run(['env', 'alice']);
    expect(env.code, env.stderr).toBe(0);
    expect(env.stdout).toContain(`DATABASE_URL=${pathToFileURL(path.join(tables, 'app-alice')).href}`);

    const remove = app.run(['delete', 'alice', '--yes']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(existsSync(path.join(tables, 'app-alice'))).toBe(false);
    expect(readFileSync(path.join(tables, 'app-dev', 'users.json'), 'utf8')).toBe('[{"id":1,"name":"ada"}]\n');
  });

  it('a package that is not installed: exit 2 with the npm install command', () => {
    const app = project('missing', config(`[database]\nprovider = "npm:fork-stack-provider-nowhere"`));
    expectUsageError(app.run(['list']), /\[database\] provider: the package "fork-stack-provider-nowhere" is not installed in .*: install it with "npm install -D fork-stack-provider-nowhere"/);
  });

  it('a name that is not an npm package name: exit 2 with the syntax', () => {
    const app = project('bad-name', config(`[database]\nprovider = "npm:Not A Package"`));
    expectUsageError(app.run(['list']), /"npm:Not A Package" does not name an npm package: write provider = "npm:<package>"/);
  });

  it('a package that does not export a provider: exit 2, at config time and at load time', () => {
    installed.fakePackage('left-pad-ish', { 'package.json': '{"name":"left-pad-ish","version":"1.0.0","type":"module","main":"index.js"}', 'index.js': 'export default 1;\n' });
    expectUsageError(project('no-exports', config(`[database]\nprovider = "npm:left-pad-ish"`)).run(['list']), /the package "left-pad-ish" does not export a fork-stack provider: its package.json "exports" needs "\.\/schema" and "\.\/provider"/);

    installed.fakePackage('half-provider', {
      'package.json': '{"name":"half-provider","version":"1.0.0","type":"module","exports":{"./schema":"./schema.js","./provider":"./provider.js"}}',
      'schema.js': `import { defineProviderSchema, z } from '@fork-stack/provider-kit';\nexport const { kind, schema, example, providerApi } = defineProviderSchema({ kind: 'database', schema: z.strictObject({}), example: '' });\n`,
      'provider.js': `export const provider = { kind: 'database', name: 'half', find() {}, fork() {} };\n`,
    });
    expectUsageError(project('half', config(`[database]\nprovider = "npm:half-provider"`)).run(['list']), /the package "half-provider" does not export a fork-stack provider: its "provider" lacks resourceName, checkName, remove, list, variables, check/);
  });

  it('a package of another kind: exit 2 naming the section it belongs under', () => {
    const app = project('kind', config(`[storage.uploads]\nprovider = "${SPEC}"`));
    expectUsageError(app.run(['list']), /\[storage\.uploads\] provider: the package "fork-stack-provider-jsondb" provides a database provider, not a storage provider: name it under \[database\]/);
  });

  it('a package built for another provider API: exit 2 saying which side to upgrade', () => {
    for (const [name, api, fix] of [
      ['from-the-future', PROVIDER_API_VERSION + 1, /upgrade fork-stack \("npm install -D fork-stack@latest"\)/],
      ['from-the-past', PROVIDER_API_VERSION - 1, /upgrade the package \("npm install -D from-the-past@latest"\)/],
    ] as const) {
      installed.fakePackage(name, {
        'package.json': `{"name":"${name}","version":"1.0.0","type":"module","exports":{"./schema":"./schema.js","./provider":"./provider.js"}}`,
        'schema.js': `import { z } from '@fork-stack/provider-kit';\nexport const kind = 'database';\nexport const providerApi = ${api};\nexport const schema = z.strictObject({});\nexport const example = '';\n`,
        'provider.js': 'export const provider = {};\n',
      });
      const result = project(name, config(`[database]\nprovider = "npm:${name}"`)).run(['list']);
      expectUsageError(result, new RegExp(`the package "${name}" was built for provider API ${api}, but fork-stack \\S+ speaks provider API ${PROVIDER_API_VERSION}`));
      expect(result.stderr).toMatch(fix);
    }
  });

  it('a UsageError thrown by a package provider exits 2 with its own message and hint (not "failed", exit 1)', () => {
    const app = project('usage', config(`[database]\nprovider = "${SPEC}"\ndir = "tables.txt"`));
    writeFileSync(path.join(app.dir, 'tables.txt'), 'not a directory\n');
    const result = app.run(['create', 'alice']);
    expectUsageError(result, /jsondb: dir = "tables\.txt" is a file, not a directory/);
    expect(result.stderr).toMatch(/hint: Point dir in \[database\] at a directory/);
  });
});

describe('errors and secrets cross the copy of fork-stack a package bundles', () => {
  it("the kit's UsageError is a UsageError here, its OperationError an OperationError, and neither the other", () => {
    expect(new kit.UsageError('x')).toBeInstanceOf(UsageError);
    expect(new kit.UsageError('x')).not.toBeInstanceOf(OperationError);
    expect(new kit.OperationError('x')).toBeInstanceOf(OperationError);
    expect(new kit.ProviderHttpError('p', 500, 'boom')).toBeInstanceOf(OperationError);
    expect(new OperationError('x')).not.toBeInstanceOf(kit.ProviderHttpError);
    expect(new Error('x')).not.toBeInstanceOf(UsageError);
  });

  it("a secret the engine registered is scrubbed by the kit's HTTP errors too", () => {
    registerSecret('s3cr3t-token-value');
    expect(kit.scrub('the provider said: s3cr3t-token-value is wrong')).not.toContain('s3cr3t-token-value');
  });
});

// The shared contract suites, from the installed kit, against the installed package's provider.
const dirOf = async (ctx: ProviderContext<unknown>, env: string) => fileURLToPath((await provider.variables(ctx, env)).DATABASE_URL as string);
/** Every file of an environment's directory, marker included, with a hash of its content; "absent" when there is none. */
async function fingerprint(ctx: ProviderContext<unknown>, env: string, withMarker: boolean): Promise<string> {
  const dir = await dirOf(ctx, env);
  if (!existsSync(dir)) return 'absent';
  return readdirSync(dir)
    .filter((f) => withMarker || f !== 'fork-stack.json')
    .sort()
    .map((f) => `${f}:${createHash('sha1').update(readFileSync(path.join(dir, f))).digest('hex')}`)
    .join();
}

const contractRoots: string[] = [];
afterAll(() => contractRoots.forEach((root) => rmSync(root, { recursive: true, force: true })));

async function seededContext(): Promise<{ ctx: ProviderContext<unknown>; root: string }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'jsondb-contract-'));
  contractRoots.push(root);
  const ctx = testContext({ kind: 'database', root, schema: schemaModule.schema });
  await provider.createEmpty!(ctx, 'dev');
  writeFileSync(path.join(await dirOf(ctx, 'dev'), 'users.json'), '[{"id":1},{"id":2}]\n');
  return { ctx, root };
}

testing.providerContract(`${FIXTURE_NAME} (installed package)`, provider, async () => {
  const { ctx, root } = await seededContext();
  return { ctx, parent: 'dev', fingerprint: (env) => fingerprint(ctx, env, false), cleanup: () => rmSync(root, { recursive: true, force: true }) };
});

testing.ownershipContract(`${FIXTURE_NAME} (installed package)`, provider, async () => {
  const { ctx } = await seededContext();
  const mark = async (env: string, owner: { project: string; env: string }) => {
    const dir = await dirOf(ctx, env);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'fork-stack.json'), JSON.stringify(owner));
    writeFileSync(path.join(dir, 'orders.json'), '[{"id":7}]');
  };
  return {
    ctx,
    parent: 'dev',
    foreign: {
      plant: {
        empty: async (env) => void mkdirSync(await dirOf(ctx, env), { recursive: true }),
        'non-empty': async (env) => {
          mkdirSync(await dirOf(ctx, env), { recursive: true });
          writeFileSync(path.join(await dirOf(ctx, env), 'orders.json'), '[{"id":7}]');
        },
        'other-project': (env) => mark(env, { project: 'someone-else', env }),
        'other-env': (env) => mark(env, { project: ctx.project, env: 'bob' }),
      },
      fingerprint: (env) => fingerprint(ctx, env, true),
      clear: async (env) => rmSync(await dirOf(ctx, env), { recursive: true, force: true }),
    },
  };
});
