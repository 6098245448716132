/**
 * diff: what differs between two environments — secret keys added/removed/changed (compared by hash,
 * never shown), database schema (tables, columns, indexes), object counts and sizes, cache key counts.
 * Providers that cannot describe themselves (Turso, PlanetScale) are reported as "not compared", never as
 * "no differences": a slot that was not looked at must not make two environments look the same.
 */
import { createHash } from 'node:crypto';
import { isSecretsProvider, type Description } from '../providers/types.js';
import { assertEnvName } from '../core/names.js';
import { onSlot } from './slot-calls.js';
import type { Engine, LoadedSlot } from './context.js';
import { assertEnvExists } from './switch.js';

export interface SlotDiff {
  slot: string;
  provider: string;
  /** Nothing to compare for this provider (kept for older scripts; `compared: false` says the same). */
  unsupported?: true;
  /** false when this slot was not compared at all; absent when it was. */
  compared?: false;
  secrets?: { added: string[]; removed: string[]; changed: string[] };
  schema?: {
    tablesAdded: string[];
    tablesRemoved: string[];
    columns: { table: string; added: string[]; removed: string[]; changed: { column: string; from: string; to: string }[] }[];
    indexesAdded: string[];
    indexesRemoved: string[];
  };
  objects?: { a: { count: number; bytes: number }; b: { count: number; bytes: number } };
  keys?: { a: number; b: number };
  /** null when the slot was not compared: nobody knows whether it differs. */
  same: boolean | null;
}

export interface DiffResult {
  a: string;
  b: string;
  slots: SlotDiff[];
  /** true only when every slot was compared and none differs. */
  same: boolean;
  /** The slots that could not be compared (their provider cannot describe its resources). */
  notCompared: string[];
}

const sha = (value: string) => createHash('sha256').update(value).digest('hex');

function keyDiff(a: Record<string, string>, b: Record<string, string>) {
  const added = Object.keys(b).filter((k) => !(k in a)).sort();
  const removed = Object.keys(a).filter((k) => !(k in b)).sort();
  const changed = Object.keys(a).filter((k) => k in b && sha(a[k] as string) !== sha(b[k] as string)).sort();
  return { added, removed, changed };
}

function schemaDiff(a: NonNullable<Description['schema']>, b: NonNullable<Description['schema']>): NonNullable<SlotDiff['schema']> {
  const tablesAdded = Object.keys(b.tables).filter((t) => !(t in a.tables)).sort();
  const tablesRemoved = Object.keys(a.tables).filter((t) => !(t in b.tables)).sort();
  const columns: NonNullable<SlotDiff['schema']>['columns'] = [];
  for (const table of Object.keys(a.tables).filter((t) => t in b.tables).sort()) {
    const ca = a.tables[table]?.columns ?? {};
    const cb = b.tables[table]?.columns ?? {};
    const added = Object.keys(cb).filter((c) => !(c in ca));
    const removed = Object.keys(ca).filter((c) => !(c in cb));
    const changed = Object.keys(ca)
      .filter((c) => c in cb && ca[c] !== cb[c])
      .map((c) => ({ column: c, from: ca[c] as string, to: cb[c] as string }));
    if (added.length || removed.length || changed.length) columns.push({ table, added, removed, changed });
  }
  const indexes = (d: NonNullable<Description['schema']>) => new Set(Object.entries(d.tables).flatMap(([t, v]) => v.indexes.map((i) => `${t}.${i}`)));
  const ia = indexes(a);
  const ib = indexes(b);
  return {
    tablesAdded,
    tablesRemoved,
    columns,
    indexesAdded: [...ib].filter((i) => !ia.has(i)).sort(),
    indexesRemoved: [...ia].filter((i) => !ib.has(i)).sort(),
  };
}

async function diffSlot(slot: LoadedSlot, a: string, b: string): Promise<SlotDiff> {
  const base = { slot: slot.config.id, provider: slot.provider.name };
  if (isSecretsProvider(slot.provider)) {
    const provider = slot.provider;
    const [va, vb] = await Promise.all([a, b].map((env) => onSlot(slot, `reading secrets of "${env}"`, () => provider.read(slot.ctx, env))));
    const secrets = keyDiff(va ?? {}, vb ?? {});
    return { ...base, secrets, same: !secrets.added.length && !secrets.removed.length && !secrets.changed.length };
  }
  const describe = slot.provider.describe?.bind(slot.provider);
  const notCompared: SlotDiff = { ...base, unsupported: true, compared: false, same: null };
  if (!describe) return notCompared;
  const [da, db] = await Promise.all([a, b].map((env) => onSlot(slot, `describing "${env}"`, () => describe(slot.ctx, env)))) as [Description, Description];
  if (!(da.schema && db.schema) && !(da.objects && db.objects) && !(da.keys && db.keys)) return notCompared;
  const out: SlotDiff & { same: boolean } = { ...base, same: true };
  if (da.schema && db.schema) {
    out.schema = schemaDiff(da.schema, db.schema);
    const s = out.schema;
    out.same &&= !s.tablesAdded.length && !s.tablesRemoved.length && !s.columns.length && !s.indexesAdded.length && !s.indexesRemoved.length;
  }
  if (da.objects && db.objects) {
    out.objects = { a: da.objects, b: db.objects };
    out.same &&= da.objects.count === db.objects.count && da.objects.bytes === db.objects.bytes;
  }
  if (da.keys && db.keys) {
    out.keys = { a: da.keys.count, b: db.keys.count };
    out.same &&= da.keys.count === db.keys.count;
  }
  return out;
}

export async function diffEnvironments(engine: Engine, a: string, b: string): Promise<DiffResult> {
  assertEnvName(a);
  assertEnvName(b);
  await Promise.all([assertEnvExists(engine, a), assertEnvExists(engine, b)]);
  const slots = await engine.slots();
  const diffs = await Promise.all(slots.map((slot) => diffSlot(slot, a, b)));
  const notCompared = diffs.filter((d) => d.compared === false).map((d) => d.slot);
  return { a, b, slots: diffs, same: diffs.every((d) => d.same === true), notCompared };
}
