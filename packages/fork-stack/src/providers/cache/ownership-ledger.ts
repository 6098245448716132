/**
 * A checkout-local ownership record for cloud resources whose API offers no place for a marker (no tags,
 * labels or descriptions): Upstash Redis databases, Redis Cloud databases, QStash queues
 * (docs/architecture.md, "Ownership"). fork-stack writes `.fork-stack/owned/<slot>/<env>.json` the moment
 * the provider's answer proves it created the resource, naming the project, the environment and the
 * resource's identity (database id, or each queue's name and creation time). A resource is fork-stack's
 * only when such a record matches it exactly: a database with the environment's name that someone made by
 * hand, or that was deleted and made again by someone else, has another identity and is never claimed.
 *
 * The limit: the record lives in the checkout that created the environment, so another checkout (a
 * teammate, a CI job running gc) sees such resources as not proven fork-stack's and leaves them alone.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../../core/files/atomic.js';
import type { ProviderContext } from '../types.js';

export interface LedgerEntry {
  project: string;
  env: string;
  provider: string;
  /** What identifies the resources fork-stack created: database ids, or `queue@createdAt`. */
  ids: string[];
  createdAt: string;
}

const fileOf = (ctx: ProviderContext<unknown>, env: string) => path.join(ctx.stateDir, 'owned', ctx.slot, `${env}.json`);

export async function readLedger(ctx: ProviderContext<unknown>, env: string): Promise<LedgerEntry | undefined> {
  const text = await readFileIfExists(fileOf(ctx, env));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LedgerEntry>;
    if (typeof value.project !== 'string' || typeof value.env !== 'string' || !Array.isArray(value.ids)) return undefined;
    return { provider: '', createdAt: '', ...value } as LedgerEntry;
  } catch {
    return undefined;
  }
}

export async function writeLedger(ctx: ProviderContext<unknown>, env: string, provider: string, ids: string[]): Promise<void> {
  const entry: LedgerEntry = { project: ctx.project, env, provider, ids: [...ids].sort(), createdAt: ctx.now().toISOString() };
  await fs.mkdir(path.dirname(fileOf(ctx, env)), { recursive: true });
  await writeFileAtomic(fileOf(ctx, env), `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
}

export async function dropLedger(ctx: ProviderContext<unknown>, env: string): Promise<void> {
  await fs.rm(fileOf(ctx, env), { force: true });
}

/** Whether the record proves that exactly these resources are fork-stack's for (project, env). */
export function ledgerOwns(ctx: ProviderContext<unknown>, env: string, entry: LedgerEntry | undefined, ids: string[]): boolean {
  if (!entry || entry.project !== ctx.project || entry.env !== env) return false;
  const want = [...ids].sort();
  return entry.ids.length === want.length && entry.ids.every((id, i) => id === want[i]);
}

/** A record of this checkout that names another project or environment (a copied state directory). */
export function ledgerMarkedFor(ctx: ProviderContext<unknown>, env: string, entry: LedgerEntry | undefined): { project: string; env: string } | undefined {
  return entry && (entry.project !== ctx.project || entry.env !== env) ? { project: entry.project, env: entry.env } : undefined;
}
