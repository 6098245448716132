/**
 * init: ask (on a terminal) or take flags, write fork-stack.toml, git-ignore local state, create the local
 * root environment. With neither a terminal nor flags it writes the local stack.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { databaseSlotFor, ensureGitignore, initProject, LOCAL_STACK, prepareRoots, projectNameFrom, type InitChoices, type InitResult } from '../../engine/init.js';
import { CONFIG_FILE } from '../../core/project.js';
import { defaultProvider, lookup, providerNames, registry } from '../../providers/registry.js';
import type { Kind, ProviderContext } from '../../providers/types.js';
import { OperationError, UsageError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import type { Output } from '../output.js';
import { NO_PROVIDER } from '../formats.js';
import type { Flags } from '../program.js';
import { answer, interactive, progressReporter } from '../ui.js';

type InitFlags = Flags<'init'>;

const NONE = NO_PROVIDER;

function checkProvider(kind: Kind, name: string | undefined): string | undefined {
  if (name === undefined || name === NONE) return undefined;
  if (!providerNames(kind).includes(name)) {
    throw new UsageError(`unknown ${kind} provider "${name}"`, { hint: `Known: ${providerNames(kind).join(', ')}${kind === 'database' ? '' : `, ${NONE}`}.` });
  }
  return name;
}

function fromFlags(cli: CliContext, flags: InitFlags): InitChoices {
  const anyProvider = [flags.database, flags.storage, flags.secrets, flags.cache, flags.queue].some((f) => f !== undefined);
  const base = anyProvider ? {} : LOCAL_STACK;
  const storage = checkProvider('storage', flags.storage);
  return {
    project: flags.project ?? projectNameFrom(cli.cwd),
    database: checkProvider('database', flags.database) ?? base.database,
    storage: storage ? { [flags.bucket]: storage } : base.storage,
    secrets: checkProvider('secrets', flags.secrets) ?? base.secrets,
    cache: checkProvider('cache', flags.cache),
    queue: checkProvider('queue', flags.queue),
    root: flags.root,
  };
}

async function ask(cli: CliContext, flags: InitFlags): Promise<InitChoices> {
  const p = await import('@clack/prompts');
  const output = cli.out.stderr;
  // A cancelled prompt (Escape) exits 1, Ctrl-C 130: never 0, although nothing was written.
  const refused = 'cancelled: nothing was written';
  p.intro('fork-stack init', { output });
  const choose = async (kind: Kind, message: string, initial: string | undefined, optional: boolean) => {
    const options = Object.entries(registry[kind]).map(([value, entry]) => ({ value, label: value, hint: entry.summary }));
    if (optional) options.push({ value: NONE, label: NONE, hint: `no ${kind}` });
    return answer(() => p.select({ message, options, initialValue: initial ?? (optional ? NONE : options[0]?.value), output }), refused);
  };
  const project = await answer(() => p.text({ message: 'Project name', initialValue: flags.project ?? projectNameFrom(cli.cwd), output }), refused);
  // Each kind offers its registry `default` (the local stack) first.
  const database = await choose('database', 'Database', defaultProvider('database'), false);
  const storage = await choose('storage', 'Object storage', defaultProvider('storage'), true);
  const secrets = await choose('secrets', 'Secrets', defaultProvider('secrets'), true);
  const cache = await choose('cache', 'Cache', defaultProvider('cache'), true);
  const queue = await choose('queue', 'Queue', defaultProvider('queue'), true);
  const local = [database, storage, secrets, cache, queue].every((name, i) => {
    const kind = (['database', 'storage', 'secrets', 'cache', 'queue'] as const)[i] as Kind;
    return name === NONE || registry[kind][name]?.local;
  });
  const root = await answer(
    () =>
      p.text({
        message: 'Root environment (the one everything forks from)',
        initialValue: flags.root ?? (local ? 'dev' : 'prod'),
        output,
      }),
    refused,
  );
  let rootDatabase: string | undefined;
  const adoptable = lookup('database', database)?.adoptableRoots;
  if (adoptable) {
    // Never an empty root on a server that holds the user's data: ask which existing database it is.
    rootDatabase = await askAdoptedRoot(cli, p, { project, database, root }, await adoptable(), refused);
  }
  p.outro('writing fork-stack.toml', { output });
  return {
    rootDatabase,
    project,
    database,
    storage: storage === NONE ? undefined : { [flags.bucket]: storage },
    secrets: secrets === NONE ? undefined : secrets,
    cache: cache === NONE ? undefined : cache,
    queue: queue === NONE ? undefined : queue,
    root,
  };
}

/**
 * The existing database that is the root on a shared server (a provider whose registry entry has
 * `adoptableRoots`): listed from the server (its credentials must be set: otherwise a usage error, before
 * anything is written). Only a server without databases of its own gets an empty root created
 * (undefined); a cancelled or declined answer throws (exit 1).
 */
async function askAdoptedRoot(
  cli: CliContext,
  p: typeof import('@clack/prompts'),
  choices: { project: string; database: string; root: string },
  listRoots: (ctx: ProviderContext) => Promise<string[]>,
  refused: string,
): Promise<string | undefined> {
  const output = cli.out.stderr;
  const slot = await databaseSlotFor(cli.cwd, choices, { signal: cli.signal });
  if (!slot) return undefined;
  const names = await listRoots(slot.ctx);
  const empty = slot.provider.resourceName(slot.ctx, choices.root);
  if (names.length === 0) {
    const ok = await answer(() => p.confirm({ message: `The server has no databases yet. Create an empty "${empty}" as "${choices.root}"?`, output }), refused);
    if (!ok) throw new OperationError(refused);
    return undefined;
  }
  return answer(
    () =>
      p.select({
        message: `Which existing database is "${choices.root}" (everything forks from it)?`,
        options: names.map((name) => ({ value: name, label: name })),
        initialValue: names.includes(empty) ? empty : names[0],
        output,
      }),
    refused,
  );
}

/**
 * `init` in a project that already has fork-stack.toml (a teammate's fresh clone): keep the file, make
 * it usable — create the local roots that are missing, git-ignore local state, switch to the default
 * parent. Flags that would write a different file still need --force.
 */
async function initExisting(cli: CliContext, configFile: string): Promise<void> {
  const reporter = await progressReporter(cli.out, 'preparing');
  let result;
  try {
    const gitignoreAdded = await ensureGitignore(path.dirname(configFile));
    result = { configFile, gitignoreAdded, ...(await prepareRoots(configFile, { reporter, signal: cli.signal })) };
    reporter.stop(true);
  } catch (error) {
    reporter.stop(false);
    throw error;
  }
  await report(cli, result, `using the existing ${configFile}`);
}

export async function run(cli: CliContext, flags: InitFlags): Promise<void> {
  const anyFlag = [flags.project, flags.database, flags.storage, flags.secrets, flags.cache, flags.queue, flags.root].some((f) => f !== undefined);
  const existing = path.join(cli.cwd, CONFIG_FILE);
  if (!flags.force && existsSync(existing)) {
    if (anyFlag) {
      throw new UsageError(`${existing} already exists`, { hint: 'Edit it, or run "fork-stack init --force" with your flags to replace it. "fork-stack init" alone prepares the existing one.' });
    }
    return initExisting(cli, existing);
  }
  const choices = !anyFlag && !flags.yes && interactive(cli.out) ? await ask(cli, flags) : fromFlags(cli, flags);

  const reporter = await progressReporter(cli.out, 'initialising');
  let result;
  try {
    result = await initProject(cli.cwd, choices, { force: flags.force, reporter, signal: cli.signal });
    reporter.stop(true);
  } catch (error) {
    reporter.stop(false);
    throw error;
  }
  await report(cli, result, `wrote ${result.configFile}`);
}

async function report(cli: CliContext, result: InitResult, headline: string): Promise<void> {
  const { out } = cli;
  await out.result({ data: result, human: (r) => describeInit(out, r, headline) });
}

function describeInit(out: Output, result: InitResult, headline: string): void {
  out.success(headline);
  if (result.gitignoreAdded.length) out.success(`.gitignore now ignores ${result.gitignoreAdded.join(', ')}`);
  for (const c of result.created) out.success(`created root ${c.slot}: ${c.resource.name}`);
  for (const s of result.seeded) {
    const what = s.objects !== undefined ? `${s.objects} object${s.objects === 1 ? '' : 's'}` : `${s.keys?.length ?? 0} default${s.keys?.length === 1 ? '' : 's'}${s.kept?.length ? ` (${s.kept.length} kept as they were)` : ''}`;
    out.success(`seeded ${s.slot} of "${s.env}" from ${s.source}: ${what}`);
  }
  if (result.switchedTo) {
    out.success(`current environment: ${result.switchedTo}`);
    out.info(`  next: fork-stack create alice   (forks ${result.switchedTo})`);
  }
  if (result.missingRoots.length) {
    out.warn(`these root resources were not found; fill in their options in fork-stack.toml and run "fork-stack doctor":\n  ${result.missingRoots.join('\n  ')}`);
  }
}
