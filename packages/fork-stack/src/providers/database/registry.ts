/**
 * The ownership record of providers whose resources carry no label fork-stack could write (Turso
 * databases, PlanetScale and Supabase branches): when fork-stack creates one, it records the id the
 * provider gave it (never reused for another resource) with the project and environment, under
 * `.fork-stack/registry/<slot>/<env>.json`. A resource is fork-stack's only when its id matches that
 * record; a same-named one made by hand, or by another checkout, has another id (docs/architecture.md,
 * "Ownership").
 *
 * The record lives in the checkout that made the resource: another checkout (a teammate, a CI runner)
 * cannot prove ownership, so it refuses to delete or reset it and says so. That is the safe side of a
 * provider without labels; the docs (docs/backends/databases.md) say how to delete such a resource.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/files/atomic.js';
import type { ProviderContext } from '../types.js';

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

function dir(ctx: ProviderContext<unknown>): string {
  return path.join(ctx.stateDir, 'registry', ctx.slot);
}

function file(ctx: ProviderContext<unknown>, env: string): string {
  return path.join(dir(ctx), `${env}.json`);
}

function parse(text: string): OwnershipRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<OwnershipRecord>;
    if (typeof value.project !== 'string' || typeof value.env !== 'string' || typeof value.id !== 'string') return undefined;
    return value as OwnershipRecord;
  } catch {
    return undefined;
  }
}

export async function readRecord(ctx: ProviderContext<unknown>, env: string): Promise<OwnershipRecord | undefined> {
  try {
    return parse(await fs.readFile(file(ctx, env), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Record that fork-stack made `resource` for (project, env). Written before fork returns it. */
export async function recordMade(ctx: ProviderContext<unknown>, env: string, resource: { provider: string; id: string; name: string; parent?: string }): Promise<void> {
  const record: OwnershipRecord = { v: 1, project: ctx.project, env, ...resource, createdAt: ctx.now().toISOString() };
  await fs.mkdir(dir(ctx), { recursive: true });
  await writeFileAtomic(file(ctx, env), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

/**
 * Record that this checkout is about to create `name` for `env`. Only `claimPending` turns it into
 * ownership, within the same fork call that saw the name free: a create whose answer was lost (a 409
 * on the retry) is then recognised, while a resource that was there before is never taken.
 */
export async function recordPending(ctx: ProviderContext<unknown>, env: string, resource: { provider: string; name: string; parent?: string }): Promise<void> {
  const record: OwnershipRecord = { v: 1, project: ctx.project, env, ...resource, id: '', pending: true, createdAt: ctx.now().toISOString() };
  await fs.mkdir(dir(ctx), { recursive: true });
  await writeFileAtomic(file(ctx, env), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

export async function forgetMade(ctx: ProviderContext<unknown>, env: string): Promise<void> {
  await fs.rm(file(ctx, env), { force: true });
}

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
export async function ownershipOf(ctx: ProviderContext<unknown>, env: string, id: string | undefined, facts?: Facts): Promise<Ownership> {
  if (!id) return { owned: false };
  const own = await readRecord(ctx, env);
  if (own && own.project === ctx.project && own.env === env && (own.pending ? pendingMatches(own, facts) : own.id === id)) return { owned: true };
  // Recorded for another environment (a names override pointing two envs at one resource).
  let entries: string[] = [];
  try {
    entries = await fs.readdir(dir(ctx));
  } catch {
    return { owned: false };
  }
  for (const entry of entries) {
    if (!entry.endsWith('.json')) continue;
    const other = parse(await fs.readFile(path.join(dir(ctx), entry), 'utf8').catch(() => ''));
    if (other && other.id === id) return { owned: false, markedFor: { project: other.project, env: other.env } };
  }
  return { owned: false };
}

/** "it was not made by fork-stack …" / "it belongs to …": for the providers' own refusals. */
export function ownershipText(ctx: ProviderContext<unknown>, env: string, ownership: Ownership): string {
  const other = ownership.markedFor;
  if (!other) return `it was not made by fork-stack for project "${ctx.project}", environment "${env}" from this checkout (no ownership record in .fork-stack/registry/${ctx.slot}/ matches its id)`;
  if (other.project !== ctx.project) return `it belongs to another fork-stack project: "${other.project}", environment "${other.env}"`;
  return `it belongs to environment "${other.env}" of this project, not "${env}"`;
}
