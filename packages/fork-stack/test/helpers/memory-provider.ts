/**
 * An in-memory provider for engine tests: resources live in a Map, every call can be delayed or made
 * to fail, and every call is recorded so tests can assert what the engine asked for (and what it
 * never asked for: nothing done to the parent).
 */
import type { Check, ForkRequest, Kind, Provider, ProviderContext, Resource } from '../../src/providers/types.js';

export interface MemoryProviderOptions {
  kind?: Kind;
  name?: string;
  /** Longest resource name accepted (checkName). */
  maxName?: number;
  delayMs?: number;
  pointInTime?: boolean;
  /** Record the create run on what fork makes (Capabilities.recordsRun). */
  recordsRun?: boolean;
}

export interface Call {
  op: string;
  env: string;
  parent?: string;
}

export class MemoryProvider implements Provider<unknown> {
  readonly kind: Kind;
  readonly name: string;
  readonly capabilities: { createEmpty: boolean; pointInTime: boolean; recordsRun: boolean };
  readonly publicVariables: string[];
  readonly resources = new Map<string, { resource: Resource; values: Record<string, string> }>();
  readonly calls: Call[] = [];
  /** env → error thrown by fork (after `failAfterCreate` creates the resource first). */
  readonly failFork = new Map<string, Error>();
  readonly failRemove = new Map<string, Error>();
  failAfterCreate = false;
  /** env → run id of a teammate's create that makes the resource just before this fork's own create. */
  readonly teammateRuns = new Map<string, string>();
  delayMs: number;
  private readonly maxName: number;
  /** Forks currently running, and the most ever running at once. */
  active = 0;
  maxActive = 0;

  constructor(options: MemoryProviderOptions = {}) {
    this.kind = options.kind ?? 'database';
    this.name = options.name ?? 'memory';
    this.maxName = options.maxName ?? 63;
    this.delayMs = options.delayMs ?? 0;
    this.capabilities = { createEmpty: true, pointInTime: options.pointInTime ?? false, recordsRun: options.recordsRun ?? false };
    this.publicVariables = this.kind === 'secrets' ? [] : [this.variableName()];
  }

  private variableName(): string {
    return this.kind === 'database' ? 'DATABASE_URL' : this.kind === 'storage' ? 'BUCKET_NAME' : this.kind === 'cache' ? 'CACHE_URL' : 'QUEUE_URL';
  }

  private async pause(signal?: AbortSignal): Promise<void> {
    if (this.delayMs <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.delayMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      }, { once: true });
    });
  }

  resourceName(ctx: ProviderContext<unknown>, env: string): string {
    return `${ctx.project}-${this.kind}-${env}`;
  }

  checkName(ctx: ProviderContext<unknown>, env: string): string | undefined {
    const name = this.resourceName(ctx, env);
    return name.length > this.maxName ? `${name} is longer than ${this.maxName} characters` : undefined;
  }

  async find(_ctx: ProviderContext<unknown>, env: string): Promise<Resource | undefined> {
    this.calls.push({ op: 'find', env });
    return this.resources.get(env)?.resource;
  }

  /** A resource of `env` as fork-stack would have made it (marked as this project's, for `env`). */
  plant(env: string, values: Record<string, string> = {}): void {
    this.resources.set(env, { resource: { env, name: `${this.kind}-${env}`, state: 'ready', owned: true }, values });
  }

  /**
   * A resource under `env`'s name that fork-stack did not make for it: unmarked, or marked for another
   * project or environment (the ownership cases of docs/architecture.md).
   */
  plantForeign(env: string, markedFor?: { project: string; env: string }, values: Record<string, string> = {}): void {
    this.resources.set(env, { resource: { env, name: `${this.kind}-${env}`, state: 'ready', owned: false, ...(markedFor ? { markedFor } : {}) }, values });
  }

  async fork(ctx: ProviderContext<unknown>, request: ForkRequest): Promise<Resource> {
    this.calls.push({ op: 'fork', env: request.env, parent: request.parent });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const existing = this.resources.get(request.env);
      if (existing?.resource.owned === false) throw new Error(`${existing.resource.name} exists and is not fork-stack's`);
      if (existing) return existing.resource;
      const parent = this.resources.get(request.parent);
      if (!parent) throw new Error(`no parent ${request.parent}`);
      const failure = this.failFork.get(request.env);
      if (failure && !this.failAfterCreate) {
        await this.pause(ctx.signal);
        throw failure;
      }
      await this.pause(ctx.signal);
      const values = Object.fromEntries(Object.entries(parent.values).filter(([k]) => (request.keep ? request.keep(k) : true)));
      const teammate = this.teammateRuns.get(request.env);
      const madeBy = teammate ?? (this.capabilities.recordsRun ? request.runId : undefined);
      const resource: Resource = { env: request.env, name: this.resourceName(ctx, request.env), parent: request.parent, state: 'ready', owned: true, ...(madeBy ? { createdByRun: madeBy } : {}) };
      this.resources.set(request.env, { resource, values });
      // The teammate's create won: this one got "already exists" and adopted it.
      if (teammate) return { ...resource, adopted: true };
      if (failure) throw failure;
      return resource;
    } finally {
      this.active--;
    }
  }

  async createEmpty(ctx: ProviderContext<unknown>, env: string): Promise<Resource> {
    this.calls.push({ op: 'createEmpty', env });
    const resource: Resource = { env, name: this.resourceName(ctx, env), state: 'ready' };
    this.resources.set(env, { resource, values: {} });
    return resource;
  }

  async remove(_ctx: ProviderContext<unknown>, { env }: { env: string }): Promise<void> {
    this.calls.push({ op: 'remove', env });
    const failure = this.failRemove.get(env);
    if (failure) throw failure;
    const existing = this.resources.get(env);
    if (existing && existing.resource.owned === false) throw new Error(`${existing.resource.name} is not fork-stack's; left as it is`);
    this.resources.delete(env);
  }

  async list(): Promise<Resource[]> {
    this.calls.push({ op: 'list', env: '*' });
    return [...this.resources.values()].map((r) => r.resource);
  }

  async variables(ctx: ProviderContext<unknown>, env: string): Promise<Record<string, string>> {
    if (this.kind === 'secrets') return { ...(this.resources.get(env)?.values ?? {}) };
    return { [this.variableName()]: `memory://${this.resourceName(ctx, env)}` };
  }

  async check(): Promise<Check[]> {
    return [{ name: 'memory', status: 'ok', message: 'always there' }];
  }

  async read(_ctx: ProviderContext<unknown>, env: string): Promise<Record<string, string>> {
    return { ...(this.resources.get(env)?.values ?? {}) };
  }

  async write(_ctx: ProviderContext<unknown>, env: string, changes: { set?: Record<string, string>; unset?: string[] }): Promise<void> {
    const entry = this.resources.get(env);
    if (!entry) throw new Error(`no ${env}`);
    for (const k of changes.unset ?? []) delete entry.values[k];
    Object.assign(entry.values, changes.set ?? {});
  }

  /** Calls that touched `env` other than reading it. */
  mutationsOf(env: string): Call[] {
    return this.calls.filter((c) => c.env === env && c.op !== 'find');
  }
}

export type { Provider };
