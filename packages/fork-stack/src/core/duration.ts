/** Durations for --ttl, default_ttl and --older-than: "90m", "12h", "7d", "2w" (and "30s" for tests). */
import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const DURATION_PATTERN = /^(\d+)\s*([smhdw])$/;

export function parseDuration(value: string, flag: string): number {
  const m = DURATION_PATTERN.exec(value.trim());
  if (!m) throw new UsageError(`${flag} ${JSON.stringify(value)} is not a duration`, { hint: `Use a number and a unit: 30m, 12h, 7d or 2w (e.g. ${flag} 7d).` });
  const ms = Number(m[1]) * (UNITS[m[2] as string] as number);
  if (ms <= 0) throw new UsageError(`${flag} must be longer than zero`);
  return ms;
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= UNITS.d! * 2) return `${Math.round(ms / UNITS.d!)}d`;
  if (abs >= UNITS.h!) return `${Math.round(ms / UNITS.h!)}h`;
  if (abs >= UNITS.m!) return `${Math.round(ms / UNITS.m!)}m`;
  return `${Math.round(ms / 1000)}s`;
}
