/** PlanetScale API v1 over core/http.ts (there is no npm SDK for the platform API): client, branches, pages. */
import { apiBaseUrl, requireEnv } from '../../../core/credentials.js';
import type { HttpClient } from '../../../core/http.js';
import type { ProviderContext } from '../../types.js';
import { providerHttp } from '../../cloud/http.js';
import { BASE_URL_ENV, DEFAULT_BASE_URL, TOKEN_ENV, TOKEN_ID_ENV, type PlanetScaleOptions } from '../planetscale.schema.js';

export type Ctx = ProviderContext<PlanetScaleOptions>;

export interface PsBranch {
  id: string;
  name: string;
  kind?: 'mysql' | 'postgresql';
  state?: string;
  ready?: boolean;
  production?: boolean;
  parent_branch?: string | null;
  created_at?: string;
  mysql_address?: string;
}

export interface PsDatabase {
  id: string;
  name: string;
  kind?: 'mysql' | 'postgresql';
  default_branch?: string;
  state?: string;
}

interface Page<T> {
  data?: T[];
  next_page?: number | null;
}

export const PER_PAGE = 100;

const HOW_TO_GET_TOKEN = 'Create a service token in PlanetScale (Settings → Service tokens) with access to the database.';

export function psClient(ctx: Ctx): HttpClient {
  const id = requireEnv(ctx, TOKEN_ID_ENV, HOW_TO_GET_TOKEN);
  const token = requireEnv(ctx, TOKEN_ENV, HOW_TO_GET_TOKEN);
  // PlanetScale's service-token scheme: the id and the token joined by a colon, no "Bearer".
  return providerHttp(ctx, 'planetscale', apiBaseUrl(ctx, BASE_URL_ENV, DEFAULT_BASE_URL), { authorization: `${id}:${token}` });
}

export function databasePath(ctx: Ctx, rest = ''): string {
  const { organization, database } = ctx.options;
  return `/organizations/${encodeURIComponent(organization)}/databases/${encodeURIComponent(database)}${rest}`;
}

export function branchPath(ctx: Ctx, branch: string, rest = ''): string {
  return databasePath(ctx, `/branches/${encodeURIComponent(branch)}${rest}`);
}

export async function getDatabase(ctx: Ctx, http: HttpClient): Promise<PsDatabase | undefined> {
  const res = await http.request<PsDatabase>({ path: databasePath(ctx), what: `read database "${ctx.options.database}"`, expect: [404], signal: ctx.signal });
  return res.status === 404 ? undefined : res.body;
}

export async function getBranch(ctx: Ctx, http: HttpClient, name: string, what = `look up branch "${name}"`): Promise<PsBranch | undefined> {
  const res = await http.request<PsBranch>({ path: branchPath(ctx, name), what, expect: [404], signal: ctx.signal });
  return res.status === 404 ? undefined : res.body;
}

/** Walk a page/per_page list to the end (`next_page` is null on the last page). */
export async function listAll<T>(ctx: Ctx, http: HttpClient, path: string, what: string, query: Record<string, string | number> = {}): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<number>();
  let page = 1;
  for (;;) {
    const res = await http.request<Page<T>>({ path, query: { ...query, page, per_page: PER_PAGE }, what, signal: ctx.signal });
    const items = res.body?.data ?? [];
    out.push(...items);
    const next = res.body?.next_page;
    if (!next || items.length === 0 || seen.has(next) || next <= page) return out;
    seen.add(next);
    page = next;
  }
}
