/**
 * Checkout records: fork-stack's proof of ownership for cloud resources that carry no label it could
 * write (docs/architecture.md, "Ownership"). When fork-stack creates such a resource it records, in the
 * checkout's state directory, the identity the provider gave it (never reused for another resource) with
 * the project and environment. A resource is fork-stack's only when a record matches it exactly: a
 * same-named one made by hand, or deleted and made again by someone else, has another identity and is
 * never claimed.
 *
 * Two shapes, kept where earlier versions wrote them so existing checkouts keep their proof:
 * - a provider id record, `.fork-stack/registry/<slot>/<env>.json` (Turso databases, PlanetScale and
 *   Supabase branches): one id, written as pending just before the create request so that a create
 *   whose answer was lost is still recognised;
 * - an identity ledger, `.fork-stack/owned/<slot>/<env>.json` (Upstash Redis and Redis Cloud databases,
 *   QStash queues): the set of identities (database ids, `queue@createdAt`) the environment consists of.
 *
 * The limit: a record lives in the checkout that made the resource, so another checkout (a teammate, a CI
 * runner) cannot prove ownership; it refuses to delete or reset such a resource and says so. That is the
 * safe side of a provider without labels; docs/backends/*.md say how to delete one by hand.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../../core/files/atomic.js';
import type { ProviderContext } from '../types.js';

type Ctx = ProviderContext<unknown>;
type Shelf = 'registry' | 'owned';

const dirOf = (ctx: Ctx, shelf: Shelf) => path.join(ctx.stateDir, shelf, ctx.slot);
const fileOf = (ctx: Ctx, shelf: Shelf, env: string) => path.join(dirOf(ctx, shelf), `${env}.json`);

/** The record's JSON, or undefined when there is none or it is not one (a torn or foreign file proves nothing). */
async function readJson<T extends { project: string; env: string }>(file: string, valid: (value: Partial<T>) => boolean): Promise<T | undefined> {
  const text = await readFileIfExists(file);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<T>;
    return typeof value.project === 'string' && typeof value.env === 'string' && valid(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

const writeJson = (ctx: Ctx, shelf: Shelf, env: string, value: object) =>
  writeFileAtomic(fileOf(ctx, shelf, env), `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });

const removeRecordFile = (ctx: Ctx, shelf: Shelf, env: string) => fs.rm(fileOf(ctx, shelf, env), { force: true });

/** A record of this checkout written for another project or environment (a copied state directory, a names override). */
function otherOwner(ctx: Ctx, env: string, record: { project: string; env: string } | undefined): { project: string; env: string } | undefined {
  return record && (record.project !== ctx.project || record.env !== env) ? { project: record.project, env: record.env } : undefined;
}

// ---- Provider id records (.fork-stack/registry/) ----

export interface OwnershipRecord {
  v: 1;
  project: string;
  env: string;
  provider: string;
  /** The provider's id of the resource (Turso DbId, PlanetScale branch id, Supabase branch id); empty while pending. */
  id: string;
  /** Written just before the create request: the create may happen although its answer is lost. */
  pending?: boolean;
  name: string;
  parent?: string;
  createdAt: string;
}

const validRecord = (value: Partial<OwnershipRecord>) => typeof value.id === 'string';

export function readRecord(ctx: Ctx, env: string): Promise<OwnershipRecord | undefined> {
  return readJson<OwnershipRecord>(fileOf(ctx, 'registry', env), validRecord);
}

/** Record that fork-stack made `resource` for (project, env). Written before fork returns it. */
export async function recordMade(ctx: Ctx, env: string, resource: { provider: string; id: string; name: string; parent?: string }): Promise<void> {
  const record: OwnershipRecord = { v: 1, project: ctx.project, env, ...resource, createdAt: ctx.now().toISOString() };
  await writeJson(ctx, 'registry', env, record);
}

/**
 * Record that this checkout is about to create `name` for `env`. Only a match in `ownershipOf` turns it
 * into ownership, within the same fork call that saw the name free: a create whose answer was lost (a 409
 * on the retry) is then recognised, while a resource that was there before is never taken.
 */
export async function recordPending(ctx: Ctx, env: string, resource: { provider: string; name: string; parent?: string }): Promise<void> {
  const record: OwnershipRecord = { v: 1, project: ctx.project, env, ...resource, id: '', pending: true, createdAt: ctx.now().toISOString() };
  await writeJson(ctx, 'registry', env, record);
}

export const forgetMade = (ctx: Ctx, env: string): Promise<void> => removeRecordFile(ctx, 'registry', env);

export interface Ownership {
  owned: boolean;
  markedFor?: { project: string; env: string };
}

/** What the provider says of a resource, to match a pending record (a create killed before its answer was recorded). */
export interface Facts {
  name: string;
  /** ISO 8601, when the provider reports it. */
  createdAt?: string;
  /** The resource was made from the parent the pending record names. */
  fromParent: boolean;
}

/** Clock skew allowed between this machine and the provider when matching a pending record. */
const SKEW_MS = 5 * 60_000;

/**
 * A pending record proves a resource when this checkout announced creating exactly it (same name, from the
 * same parent) and the resource is not older than the announcement: the create's answer was lost (a crash,
 * a kill, a dropped connection). A resource that was there before is older, or was seen by the fork's
 * lookup before anything was announced.
 */
function pendingMatches(record: OwnershipRecord, facts: Facts | undefined): boolean {
  if (!record.pending || !facts || record.name !== facts.name || !facts.fromParent) return false;
  if (!facts.createdAt) return true;
  return Date.parse(facts.createdAt) >= Date.parse(record.createdAt) - SKEW_MS;
}

/** Whether the resource with provider id `id`, found under `env`'s name, is fork-stack's for this project and env. */
export async function ownershipOf(ctx: Ctx, env: string, id: string | undefined, facts?: Facts): Promise<Ownership> {
  if (!id) return { owned: false };
  const own = await readRecord(ctx, env);
  if (own && !otherOwner(ctx, env, own) && (own.pending ? pendingMatches(own, facts) : own.id === id)) return { owned: true };
  // Recorded for another environment (a names override pointing two envs at one resource).
  let entries: string[] = [];
  try {
    entries = await fs.readdir(dirOf(ctx, 'registry'));
  } catch {
    return { owned: false };
  }
  for (const entry of entries) {
    if (!entry.endsWith('.json')) continue;
    const other = await readJson<OwnershipRecord>(path.join(dirOf(ctx, 'registry'), entry), validRecord).catch(() => undefined);
    if (other && other.id === id) return { owned: false, markedFor: { project: other.project, env: other.env } };
  }
  return { owned: false };
}

/** "it was not made by fork-stack …" / "it belongs to …": for the providers' own refusals. */
export function ownershipText(ctx: Ctx, env: string, ownership: Ownership): string {
  const other = ownership.markedFor;
  if (!other) return `it was not made by fork-stack for project "${ctx.project}", environment "${env}" from this checkout (no ownership record in .fork-stack/registry/${ctx.slot}/ matches its id)`;
  if (other.project !== ctx.project) return `it belongs to another fork-stack project: "${other.project}", environment "${other.env}"`;
  return `it belongs to environment "${other.env}" of this project, not "${env}"`;
}

// ---- Identity ledgers (.fork-stack/owned/) ----

export interface LedgerEntry {
  project: string;
  env: string;
  provider: string;
  /** What identifies the resources fork-stack created: database ids, or `queue@createdAt`. */
  ids: string[];
  createdAt: string;
}

export async function readLedger(ctx: Ctx, env: string): Promise<LedgerEntry | undefined> {
  const entry = await readJson<LedgerEntry>(fileOf(ctx, 'owned', env), (value) => Array.isArray(value.ids));
  return entry && ({ provider: '', createdAt: '', ...(entry as Partial<LedgerEntry>) } as LedgerEntry);
}

export async function writeLedger(ctx: Ctx, env: string, provider: string, ids: string[]): Promise<void> {
  const entry: LedgerEntry = { project: ctx.project, env, provider, ids: [...ids].sort(), createdAt: ctx.now().toISOString() };
  await writeJson(ctx, 'owned', env, entry);
}

export const dropLedger = (ctx: Ctx, env: string): Promise<void> => removeRecordFile(ctx, 'owned', env);

/** Whether the record proves that exactly these resources are fork-stack's for (project, env). */
export function ledgerOwns(ctx: Ctx, env: string, entry: LedgerEntry | undefined, ids: string[]): boolean {
  if (!entry || otherOwner(ctx, env, entry)) return false;
  const want = [...ids].sort();
  return entry.ids.length === want.length && entry.ids.every((id, i) => id === want[i]);
}

/** A record of this checkout that names another project or environment (a copied state directory). */
export const ledgerMarkedFor = (ctx: Ctx, env: string, entry: LedgerEntry | undefined) => otherOwner(ctx, env, entry);
