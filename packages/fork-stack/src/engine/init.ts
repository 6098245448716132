/**
 * init: write fork-stack.toml, git-ignore fork-stack's local files, and — on the local stack — create the
 * root environment (empty database, buckets and secrets) so that `create alice` works right away.
 * Cloud roots are never created: they are the user's existing resources, adopted by name.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { readFileIfExists, writeFileAtomic } from '../core/files/atomic.js';
import { CONFIG_FILE } from '../core/project.js';
import { loadConfig, parseConfig } from '../config/load.js';
import { PROJECT_NAME_PATTERN } from '../core/config-schema.js';
import { defaultProvider, lookup } from '../providers/registry.js';
import type { Kind, Resource } from '../providers/types.js';
import { createEngine, type EngineOptions } from './context.js';
import { onSlot } from './slot-calls.js';
import { findAll } from './find.js';
import { loadSeeds, markSeedOwed, seedOwed, seedRoot, type SeededSlot } from './seeds.js';
import { switchEnvironment } from './switch.js';

export interface InitChoices {
  project: string;
  database?: string;
  /** Buckets: config name → provider. */
  storage?: Record<string, string>;
  secrets?: string;
  cache?: string;
  queue?: string;
  /** The root environment: "dev" on the local stack, usually "prod" on cloud stacks. */
  root?: string;
  defaultParent?: string;
  /** An existing database adopted as the root (`names = { <root> = "…" }` in [database]). */
  rootDatabase?: string;
}

/** The bucket `init` configures when no name is given. */
export const DEFAULT_BUCKET = 'uploads';

/** The local stack: each kind's `default` provider in the registry (database, one bucket, secrets). */
export const LOCAL_STACK: Omit<InitChoices, 'project'> = {
  database: defaultProvider('database') as string,
  storage: { [DEFAULT_BUCKET]: defaultProvider('storage') as string },
  secrets: defaultProvider('secrets'),
};

export const GITIGNORE_LINES = ['.current-env', '.fork-stack/', '.env.local'];

export function projectNameFrom(dir: string): string {
  const name = path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-')
    .replace(/-$/, '')
    .slice(0, 40)
    .replace(/-$/, '');
  return PROJECT_NAME_PATTERN.test(name) ? name : 'app';
}

async function section(kind: Kind, header: string, provider: string): Promise<string> {
  const entry = lookup(kind, provider);
  if (!entry) throw new UsageError(`unknown ${kind} provider "${provider}"`);
  const mod = await entry.schema();
  const body = mod.example.trim();
  return `[${header}]\nprovider = "${provider}"${body ? `\n${body}` : ''}\n`;
}

export async function renderConfig(choices: InitChoices): Promise<string> {
  const root = choices.root ?? 'dev';
  const parent = choices.defaultParent ?? root;
  const protectedEnvs = [...new Set(['prod', 'dev', root])];
  const parts = [
    '# fork-stack configuration: what each environment is made of.',
    '# Every key is described in docs/configuration.md; credentials come from environment variables only.',
    '',
    `project = "${choices.project}"`,
    `default_parent = "${parent}"`,
    `roots = ["${root}"]`,
    `protected = [${protectedEnvs.map((p) => `"${p}"`).join(', ')}]`,
    '',
  ];
  if (choices.database) {
    const db = await section('database', 'database', choices.database);
    parts.push(choices.rootDatabase ? `${db}names = { ${root} = ${JSON.stringify(choices.rootDatabase)} }   # the existing database adopted as the root\n` : db);
  }
  for (const [name, provider] of Object.entries(choices.storage ?? {})) parts.push(await section('storage', `storage.${name}`, provider));
  if (choices.secrets) parts.push(await section('secrets', 'secrets', choices.secrets));
  if (choices.cache) parts.push(await section('cache', 'cache', choices.cache));
  if (choices.queue) parts.push(await section('queue', 'queue', choices.queue));
  return `${parts.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export async function ensureGitignore(dir: string): Promise<string[]> {
  const file = path.join(dir, '.gitignore');
  const existing = (await readFileIfExists(file)) ?? '';
  const present = new Set(existing.split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE_LINES.filter((l) => !present.has(l) && !present.has(`/${l}`) && !present.has(l.replace(/\/$/, '')));
  if (missing.length === 0) return [];
  const prefix = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await writeFileAtomic(file, `${existing}${prefix}# fork-stack (local state, secrets, current environment)\n${missing.join('\n')}\n`);
  return missing;
}

export interface InitResult {
  configFile: string;
  gitignoreAdded: string[];
  /** Root resources created now, per slot. */
  created: { slot: string; resource: Resource }[];
  /** Slots whose root is adopted from the provider and was not found there. */
  missingRoots: string[];
  /** Seeds written into the roots created now (seed_dir, seed_file). */
  seeded: SeededSlot[];
  switchedTo?: string;
}

export async function initProject(dir: string, choices: InitChoices, options: EngineOptions & { force?: boolean } = {}): Promise<InitResult> {
  const configFile = path.join(dir, CONFIG_FILE);
  if (!options.force && (await readFileIfExists(configFile)) !== undefined) {
    throw new UsageError(`${configFile} already exists`, { hint: 'Edit it, or run "fork-stack init --force" to replace it.' });
  }
  if (!PROJECT_NAME_PATTERN.test(choices.project) || choices.project.length > 40) {
    throw new UsageError(`invalid project name "${choices.project}": use lower-case letters, digits and "-", starting with a letter (at most 40)`);
  }
  const text = await renderConfig(choices);
  // Check everything before writing anything: the providers init will create roots with must answer
  // (credentials, server) now, so that a failure (exit 2 or 1) really leaves nothing changed.
  await preflight(configFile, text, options);
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(configFile, text);
  const gitignoreAdded = await ensureGitignore(dir);

  return { configFile, gitignoreAdded, ...(await prepareRoots(configFile, options)) };
}

async function preflight(configFile: string, text: string, options: EngineOptions): Promise<void> {
  const config = await parseConfig(text, configFile);
  const engine = createEngine(config, options);
  const slots = (await engine.slots()).filter((slot) => slot.provider.createEmpty);
  for (const root of config.roots) {
    await Promise.all(slots.map((slot) => onSlot(slot, `looking up root "${root}"`, () => slot.provider.find(slot.ctx, root))));
  }
}

/** The loaded database slot of the configuration `choices` would write, without writing it (interactive init). */
export async function databaseSlotFor(dir: string, choices: InitChoices, options: EngineOptions = {}) {
  const config = await parseConfig(await renderConfig(choices), path.join(dir, CONFIG_FILE));
  const slots = await createEngine(config, options).slots();
  return slots.find((s) => s.config.kind === 'database');
}

/**
 * Make an existing fork-stack.toml usable: create the missing roots that providers can create empty
 * (the local stack), list the adopted ones that are missing, and switch to default_parent when every
 * root is there. init runs it after writing the file; create-fork-stack after copying a stack's preset.
 */
export async function prepareRoots(configFile: string, options: EngineOptions = {}): Promise<Pick<InitResult, 'created' | 'missingRoots' | 'switchedTo' | 'seeded'>> {
  const config = await loadConfig({ cwd: path.dirname(configFile), configPath: configFile });
  const engine = createEngine(config, options);
  const slots = await engine.slots();
  // Read and check every seed before any root is created: a missing seed_dir is exit 2 with nothing made.
  const seeds = await loadSeeds(config, slots);
  const created: InitResult['created'] = [];
  const seeded: SeededSlot[] = [];
  const missingRoots: string[] = [];
  for (const root of config.roots) {
    const found = await findAll(slots, root);
    await Promise.all(
      slots.map(async (slot, i) => {
        // Only a root made by init starts empty, so only it is seeded; one whose seed did not finish
        // (marker in .fork-stack/seeds/) is seeded now, never one that was there before.
        const seed = seeds.get(slot.config.id);
        if (found[i]) {
          if (seed && (await seedOwed(config.paths, slot, root))) seeded.push(await seedRoot(config.paths, slot, root, seed));
          return;
        }
        if (!slot.provider.createEmpty) {
          missingRoots.push(`${slot.config.id} (${slot.provider.name}): ${slot.provider.resourceName(slot.ctx, root)}`);
          return;
        }
        if (seed) await markSeedOwed(config.paths, slot, root);
        const resource = await onSlot(slot, `creating root "${root}"`, () => slot.provider.createEmpty!(slot.ctx, root));
        created.push({ slot: slot.config.id, resource });
        if (seed) seeded.push(await seedRoot(config.paths, slot, root, seed));
      }),
    );
  }
  let switchedTo: string | undefined;
  if (missingRoots.length === 0 && slots.length > 0 && config.roots.includes(config.defaultParent)) {
    await switchEnvironment(engine, config.defaultParent);
    switchedTo = config.defaultParent;
  }
  return { created, missingRoots, switchedTo, seeded };
}
