/**
 * The masking strategies of `[database.mask]` (docs/data-modes.md), as pure functions shared by every
 * provider that masks in the engine's way (sqlite, postgres).
 *
 * Deterministic within a project: every derived value is an HMAC-SHA-256 of the input under the project's
 * masking key, so the same input gives the same output in every table and column (joins on masked columns
 * still match) and in every fork. The column is deliberately not part of the HMAC input for that reason;
 * the strategy is, so an e-mail and its hash do not reveal each other. `email` and `hash` keep 64 and 128
 * bits of the HMAC: distinct inputs collide with negligible probability (about 3e-8 for a million
 * distinct values), so unique constraints hold. NULL stays NULL under every strategy: there is nothing to hide.
 */
import { createHmac } from 'node:crypto';
import type { MaskRule, MaskStrategy } from '../../types.js';

const FIRST = ['Alex', 'Sam', 'Robin', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Jamie', 'Riley', 'Avery', 'Quinn', 'Charlie', 'Drew', 'Kai', 'Noa', 'Sasha'];
const LAST = ['Smith', 'Garcia', 'Muller', 'Rossi', 'Nowak', 'Silva', 'Kim', 'Sato', 'Dubois', 'Jansen', 'Novak', 'Larsen', 'Costa', 'Weber', 'Moreau', 'Kowalski'];

export const STRATEGY_NAMES = ['email', 'name', 'phone', 'null', 'hash', 'redact', 'fixed:<value>'] as const;

/** `"email"`, `"fixed:n/a"` → a strategy, or undefined when the text names none. */
export function parseStrategy(text: string): MaskStrategy | undefined {
  if (text.startsWith('fixed:')) return { kind: 'fixed', value: text.slice('fixed:'.length) };
  const kinds = ['email', 'name', 'phone', 'null', 'hash', 'redact'] as const;
  const kind = kinds.find((k) => k === text);
  return kind ? { kind } : undefined;
}

/** `"users.email"` → table "users", column "email"; `"audit.events.ip"` → table "audit.events" (schema.table). */
export function parseTarget(text: string): { table: string; column: string } | undefined {
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || dot === text.length - 1) return undefined;
  return { table: text.slice(0, dot), column: text.slice(dot + 1) };
}

function asText(value: unknown): string {
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('hex');
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return String(value);
}

/** A masker for one key: strategy + input → output. */
export function masker(key: string): (strategy: MaskStrategy, value: unknown) => string | null {
  const digest = (kind: string, text: string) => createHmac('sha256', key).update(`${kind}\0${text}`).digest();
  return (strategy, value) => {
    if (value === null || value === undefined) return null;
    const text = asText(value);
    switch (strategy.kind) {
      case 'null':
        return null;
      case 'redact':
        return 'REDACTED';
      case 'fixed':
        return strategy.value;
      case 'hash':
        return digest('hash', text).subarray(0, 16).toString('hex');
      case 'email':
        return `user-${digest('email', text).subarray(0, 8).toString('hex')}@example.com`;
      case 'name': {
        const d = digest('name', text);
        return `${FIRST[(d[0] ?? 0) % FIRST.length]} ${LAST[(d[1] ?? 0) % LAST.length]}`;
      }
      case 'phone': {
        const n = digest('phone', text).readUInt32BE(0) % 10_000_000;
        const digits = String(n).padStart(7, '0');
        // 555 numbers are reserved for fiction in the North American plan: never someone's real phone.
        return `+1-555-${digits.slice(0, 3)}-${digits.slice(3)}`;
      }
    }
  };
}

/** Rules grouped per table, in the order of the config. */
export function rulesByTable(rules: readonly MaskRule[]): Map<string, MaskRule[]> {
  const out = new Map<string, MaskRule[]>();
  for (const rule of rules) {
    const list = out.get(rule.table) ?? [];
    list.push(rule);
    out.set(rule.table, list);
  }
  return out;
}

/** Rows per batch: memory stays flat whatever the table's size (keyset pagination). */
export const BATCH_ROWS = 2000;
