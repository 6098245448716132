/**
 * An Engine is a loaded project: its config plus, per configured slot, the provider implementation and
 * the context it runs with. Providers are imported here, lazily, only when an operation needs them.
 */
import type { ProjectConfig, SlotConfig } from '../config/load.js';
import { lookup } from '../providers/registry.js';
import type { ProgressUpdate, Provider, ProviderContext } from '../providers/types.js';
import { UsageError } from '../core/errors.js';
import { scrub } from '../core/scrub.js';
import type { VariablesGuard } from './guards.js';
import { prodSafetyGuard } from './safety.js';

/** How the engine tells the outside world what it is doing; the CLI draws spinners from it. */
export interface Reporter {
  /** A slot's operation started/progressed/finished. */
  slot(slotId: string, event: { phase: 'start' | 'progress' | 'done' | 'failed'; message?: string; progress?: ProgressUpdate }): void;
  warn(message: string): void;
  info(message: string): void;
  /** A line a hook printed, already scrubbed (engine/hooks.ts); without it, lines go to info. */
  output?(hook: string, line: string, stream: 'stdout' | 'stderr'): void;
}

export const silentReporter: Reporter = { slot() {}, warn() {}, info() {} };

export interface EngineOptions {
  env?: Readonly<Record<string, string | undefined>>;
  reporter?: Reporter;
  signal?: AbortSignal;
  now?: () => Date;
  /** Provider implementations by slot id, bypassing the registry (engine tests, embedding). */
  providers?: Record<string, Provider<unknown>>;
  /**
   * Checks run on resolved variables before create, switch or `secrets set` write anything, after the
   * prod-safety guard, which every engine runs first and which cannot be left out (docs/architecture.md,
   * "Layers": the guards are the engine's options, not a registry filled by import side effects).
   */
  guards?: readonly VariablesGuard[];
}

export interface LoadedSlot {
  config: SlotConfig;
  provider: Provider<unknown>;
  ctx: ProviderContext<unknown>;
}

export interface Engine {
  config: ProjectConfig;
  reporter: Reporter;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  signal: AbortSignal;
  /** Run in order on resolved variables before anything is written: prodSafetyGuard, then EngineOptions.guards. */
  guards: readonly VariablesGuard[];
  /** Load (once) and return every configured slot's provider. */
  slots(): Promise<LoadedSlot[]>;
  /** A context for one slot with a different abort signal (one per parallel operation). */
  withSignal(slot: LoadedSlot, signal: AbortSignal): ProviderContext<unknown>;
}

export function createEngine(config: ProjectConfig, options: EngineOptions = {}): Engine {
  const reporter = options.reporter ?? silentReporter;
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const signal = options.signal ?? new AbortController().signal;
  let loaded: Promise<LoadedSlot[]> | undefined;

  const contextFor = (slot: SlotConfig, provider: Provider<unknown>, sig: AbortSignal): ProviderContext<unknown> => ({
    project: config.project,
    slot: slot.id,
    kind: slot.kind,
    bucket: slot.bucket,
    options: slot.options,
    root: config.root,
    stateDir: config.paths.stateDir,
    env,
    roots: config.roots,
    protectedEnvs: config.protected,
    signal: sig,
    progress: (update) => reporter.slot(slot.id, { phase: 'progress', progress: update }),
    warn: (message) => reporter.warn(`${slot.id} (${provider.name}): ${scrub(message)}`),
    now,
  });

  const engine: Engine = {
    config,
    reporter,
    env,
    now,
    signal,
    guards: [prodSafetyGuard, ...(options.guards ?? [])],
    slots() {
      loaded ??= Promise.all(
        config.slots.map(async (slot) => {
          const provider = options.providers?.[slot.id] ?? (await loadProvider(slot, config.root));
          return { config: slot, provider, ctx: contextFor(slot, provider, signal) };
        }),
      );
      return loaded;
    },
    withSignal(slot, sig) {
      return contextFor(slot.config, slot.provider, sig);
    },
  };
  return engine;
}

async function loadProvider(slot: SlotConfig, root: string): Promise<Provider<unknown>> {
  const entry = lookup(slot.kind, slot.provider, root);
  if (!entry) throw new UsageError(`unknown ${slot.kind} provider "${slot.provider}"`);
  return (await entry.load()).provider;
}
