/**
 * What the cloud secrets providers (doppler, aws-secrets, vault) share about secret values: every value
 * read is registered for scrubbing before anything else can print it, keys that cannot be environment
 * variables are reported by name instead of being written into env files, and JSON objects of values
 * (AWS SecretString, Vault KV data) are read and written the same way.
 */
import { OperationError } from '../../core/errors.js';
import { KEY_PATTERN } from '../../core/files/dotenv.js';
import { registerSecret } from '../../core/scrub.js';
import type { ProviderContext } from '../types.js';

/** Longest-first scrubbing masks whole values; lines shorter than this are left to the whole-value match. */
const MIN_LINE = 8;

const jsonEscaped = (text: string) => JSON.stringify(text).slice(1, -1);

/**
 * Register a value so that scrub() masks it in any later output — also in the forms an API error may
 * echo it in: JSON-escaped once (a request body quoted back: `"PEM":"a\nb"`) or twice (a JSON document
 * inside a JSON body, as AWS's SecretString), URL-encoded, and line by line for multi-line values (an
 * error that quotes part of a PEM key).
 */
export function registerValue(value: string): void {
  const forms = new Set([value, jsonEscaped(value), jsonEscaped(jsonEscaped(value)), encodeURIComponent(value)]);
  if (value.includes('\n')) for (const line of value.split(/\r?\n/)) if (line.trim().length >= MIN_LINE) forms.add(line.trim());
  for (const form of forms) registerSecret(form);
}

/** Register every value (see registerValue), then return the same object. */
export function registered(values: Record<string, string>): Record<string, string> {
  for (const value of Object.values(values)) registerValue(value);
  return values;
}

export function isVariableName(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/**
 * The values an app can receive as environment variables. Keys that are not valid variable names
 * (`db.password`, `api-key`) are left out, and each one is reported with the environment and where it
 * lives, so the user can rename it; the value is never part of the message.
 */
export function variablesOnly(ctx: ProviderContext<unknown>, env: string, where: string, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const invalid: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (isVariableName(key)) out[key] = value;
    else invalid.push(key);
  }
  if (invalid.length > 0) {
    ctx.warn(
      `environment "${env}": ${invalid.map((k) => JSON.stringify(k)).join(', ')} in ${where} ${invalid.length === 1 ? 'is not a valid variable name and was' : 'are not valid variable names and were'} left out; rename to letters, digits and "_" (e.g. DB_PASSWORD)`,
    );
  }
  return out;
}

/**
 * A JSON object of secret values, as stored in an AWS SecretString or a Vault KV v2 `data` map. Strings
 * are kept exactly; numbers and booleans (written by other tools) become their JSON text; null is
 * skipped; nested objects and arrays are kept as JSON text so nothing is lost.
 */
export function valuesFromJson(raw: unknown, where: string): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new OperationError(`${where} does not hold a JSON object of key/value pairs`, {
      hint: 'fork-stack keeps one JSON object per environment, e.g. {"STRIPE_KEY":"sk_test_…"}. Store the values in that form.',
    });
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return registered(out);
}

export function parseJsonValues(text: string, where: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The text may be a secret itself: never quote it.
    throw new OperationError(`${where} is not JSON`, {
      hint: 'fork-stack keeps one JSON object per environment, e.g. {"STRIPE_KEY":"sk_test_…"}; a plain-text secret cannot be split into variables.',
    });
  }
  return valuesFromJson(parsed, where);
}

/** The parent's values that the copy policy keeps, and how many it left out. */
export function applyPolicy(values: Record<string, string>, keep: ((key: string) => boolean) | undefined): { kept: Record<string, string>; dropped: string[] } {
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (!keep || keep(key)) kept[key] = value;
    else dropped.push(key);
  }
  return { kept, dropped };
}

/** `values` with `set` applied and `unset` removed, as a new object. */
export function withChanges(values: Record<string, string>, changes: { set?: Record<string, string>; unset?: string[] }): Record<string, string> {
  const next = { ...values };
  for (const key of changes.unset ?? []) delete next[key];
  Object.assign(next, changes.set ?? {});
  return next;
}
