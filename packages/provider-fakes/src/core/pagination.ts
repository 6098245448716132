import { badRequest } from './http-error.js';

export type SortKey = (string | number)[];

function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): SortKey {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.every((part) => typeof part === 'string' || typeof part === 'number')) return key as SortKey;
  } catch {
    // fall through to the error below
  }
  throw badRequest(`invalid pagination cursor ${JSON.stringify(cursor)}`);
}

/**
 * One page of a keyset walk: items sorted by `key` (ascending, or descending with `descending`), the page
 * starting after the cursor's key. Keyset rather than offset cursors, so deleting or adding items between
 * two page requests never skips or repeats the items that remain, as with the real APIs' opaque cursors.
 */
export function keysetPage<T>(
  items: T[],
  options: { key: (item: T) => SortKey; cursor?: string | undefined; limit: number; descending?: boolean },
): { page: T[]; next?: string } {
  const direction = options.descending ? -1 : 1;
  const sorted = [...items].sort((a, b) => direction * compareKeys(options.key(a), options.key(b)));
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  const remaining = after ? sorted.filter((item) => direction * compareKeys(options.key(item), after) > 0) : sorted;
  const page = remaining.slice(0, options.limit);
  const last = page[page.length - 1];
  return { page, ...(last !== undefined && remaining.length > page.length ? { next: encodeCursor(options.key(last)) } : {}) };
}

/** Page-numbered slice (1-based), as PlanetScale and Doppler number their pages. */
export function numberedPage<T>(items: T[], page: number, perPage: number): { page: T[]; hasNext: boolean } {
  const start = (page - 1) * perPage;
  return { page: items.slice(start, start + perPage), hasNext: items.length > start + perPage };
}
