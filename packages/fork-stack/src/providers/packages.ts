/**
 * Load a provider from an installed npm package (`provider = "npm:<package>"`), resolved from the
 * project root the way Node resolves the project's own imports, and check it before anything runs it:
 * installed, exporting `./schema` and `./provider` in the shape of a built-in provider's modules, serving
 * the section's kind, built for this fork-stack's provider API. Every refusal is a UsageError (exit 2)
 * naming the package and the fix. Imported only when a config names a package (registry.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';
import { VERSION } from '../version.js';
import { PACKAGE_PREFIX, PROVIDER_API_VERSION, type PackageSchemaModule } from './package-api.js';
import { KINDS, type Kind, type ProviderModule } from './types.js';

/** npm's rules for new package names: lower case, URL-safe characters, an optional @scope/. */
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;

/** The methods every provider has (types.ts, Provider): a module without them is not a provider. */
const METHODS = ['resourceName', 'checkName', 'find', 'fork', 'remove', 'list', 'variables', 'check'] as const;

const DOCS = 'docs/contributing/add-backend.md, "Out of tree"';

export function packageName(spec: string): string {
  const name = spec.slice(PACKAGE_PREFIX.length);
  if (!PACKAGE_NAME.test(name) || name.length > 214) {
    throw new UsageError(`"${spec}" does not name an npm package: write provider = "npm:<package>", e.g. "npm:fork-stack-provider-minio" or "npm:@acme/fork-stack-minio"`);
  }
  return name;
}

/** The package's folder, looked up in node_modules from the project root upwards (Node's own walk). */
function installedAt(root: string, name: string): string | undefined {
  for (let dir = path.resolve(root); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Import `<package>/<entry>` as the project itself would (its exports map, "import" and "node" conditions). */
async function importEntry(root: string, name: string, entry: 'schema' | 'provider'): Promise<Record<string, unknown>> {
  if (!installedAt(root, name)) {
    throw new UsageError(`the package "${name}" is not installed in ${root}: install it with "npm install -D ${name}" (then run the command again)`);
  }
  // exsolve: Node's own resolution algorithm (exports maps, conditions) from any folder, which
  // import.meta.resolve only offers behind a flag on Node 20.
  const { resolveModuleURL } = await import('exsolve');
  const url = resolveModuleURL(`${name}/${entry}`, { from: pathToFileURL(path.join(path.resolve(root), path.sep)), conditions: ['node', 'import'], cache: false, try: true });
  if (!url) {
    throw new UsageError(
      `the package "${name}" does not export a fork-stack provider: its package.json "exports" needs "./schema" and "./provider" (${DOCS})`,
    );
  }
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`the package "${name}" failed to load its ${entry} module (${reason}): reinstall it ("npm install -D ${name}") or report it to its authors`);
  }
}

export async function loadPackageSchema(kind: Kind, spec: string, root: string): Promise<PackageSchemaModule> {
  const name = packageName(spec);
  const mod = await importEntry(root, name, 'schema');
  const schema = mod.schema as { safeParse?: unknown } | undefined;
  if (typeof schema?.safeParse !== 'function' || typeof mod.example !== 'string') {
    throw new UsageError(`the package "${name}" does not export a fork-stack provider: its "./schema" module must export a zod "schema" and an "example" (${DOCS})`);
  }
  const api = mod.providerApi;
  if (typeof api !== 'number') {
    throw new UsageError(`the package "${name}" does not say which provider API it was built for: build its schema module with defineProviderSchema from @fork-stack/provider-kit (${DOCS})`);
  }
  if (api !== PROVIDER_API_VERSION) {
    const fix = api > PROVIDER_API_VERSION ? 'upgrade fork-stack ("npm install -D fork-stack@latest")' : `upgrade the package ("npm install -D ${name}@latest") or use a fork-stack that speaks API ${api}`;
    throw new UsageError(`the package "${name}" was built for provider API ${api}, but fork-stack ${VERSION} speaks provider API ${PROVIDER_API_VERSION}: ${fix}`);
  }
  if (!(KINDS as readonly unknown[]).includes(mod.kind)) {
    throw new UsageError(`the package "${name}" does not say which kind of provider it is: its schema module needs kind = one of ${KINDS.join(', ')} (${DOCS})`);
  }
  if (mod.kind !== kind) throw kindMismatch(name, String(mod.kind), kind);
  return mod as unknown as PackageSchemaModule;
}

export async function loadPackageProvider(kind: Kind, spec: string, root: string): Promise<ProviderModule> {
  await loadPackageSchema(kind, spec, root);
  const name = packageName(spec);
  const provider = (await importEntry(root, name, 'provider')).provider as Record<string, unknown> | undefined;
  const missing = METHODS.filter((method) => typeof provider?.[method] !== 'function');
  if (!provider || typeof provider.name !== 'string' || missing.length > 0) {
    const what = provider ? `its "provider" lacks ${[...(typeof provider.name === 'string' ? [] : ['name']), ...missing].join(', ')}` : 'it exports no "provider"';
    throw new UsageError(`the package "${name}" does not export a fork-stack provider: ${what} in "./provider" (${DOCS})`);
  }
  if (provider.kind !== kind) throw kindMismatch(name, String(provider.kind), kind);
  return { provider: provider as unknown as ProviderModule['provider'] };
}

function kindMismatch(name: string, actual: string, wanted: Kind): UsageError {
  const section = actual === 'storage' ? '[storage.<bucket>]' : `[${actual}]`;
  return new UsageError(`the package "${name}" provides a ${actual} provider, not a ${wanted} provider: name it under ${section}`);
}
