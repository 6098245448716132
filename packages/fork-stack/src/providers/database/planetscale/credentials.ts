/**
 * Connection credentials for a PlanetScale branch: a password (MySQL/Vitess, role from password_role) or
 * a role (PostgreSQL). PlanetScale shows the secret only in the create response, so fork-stack keeps it
 * in `.fork-stack/cache/planetscale/<slot>/<env>.json` (mode 0600, git-ignored like the env files that
 * hold the same URL) for later `switch`/`env` runs.
 *
 * No orphans: each checkout names its credential `fork-stack-<hash of host name, project directory and
 * slot>`. When the cache is missing, stale or points at a credential PlanetScale no longer has, the
 * credentials of that name on the branch are deleted before a new one is made, so a lost cache or a run
 * that crashed between create and cache write never leaves a password behind. Credentials of other
 * checkouts (teammates, CI) have other names and are left alone. Deleting the branch deletes them all.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperationError } from '../../../core/errors.js';
import { readFileIfExists, writeFileAtomic } from '../../../core/files/atomic.js';
import type { HttpClient } from '../../../core/http.js';
import { registerSecret } from '../../../core/scrub.js';
import { branchPath, listAll, type Ctx, type PsBranch } from './api.js';

type Kind = 'mysql' | 'postgresql';

interface Cached {
  branch_id: string;
  kind: Kind;
  credential_id: string;
  name: string;
  url: string;
  created_at: string;
}

interface PsPassword {
  id: string;
  name?: string;
  username?: string;
  plain_text?: string | null;
  access_host_url?: string;
  expired?: boolean;
  deleted_at?: string | null;
}

interface PsRole {
  id: string;
  name?: string;
  username?: string;
  password?: string;
  access_host_url?: string;
  database_name?: string;
  expired?: boolean;
  deleted_at?: string | null;
  dropped_at?: string | null;
}

export function cacheFile(ctx: Ctx, env: string): string {
  return path.join(ctx.stateDir, 'cache', 'planetscale', ctx.slot.replace(/[^a-z0-9_.-]/gi, '_'), `${env}.json`);
}

/** Stable per checkout: the same machine and project directory always reuse (and clean up) the same name. */
export function credentialName(ctx: Ctx): string {
  const hash = createHash('sha256').update(`${os.hostname()}\0${ctx.root}\0${ctx.slot}`).digest('hex').slice(0, 12);
  return `fork-stack-${hash}`;
}

async function readCache(ctx: Ctx, env: string): Promise<Cached | undefined> {
  const text = await readFileIfExists(cacheFile(ctx, env));
  if (!text) return undefined;
  try {
    const cached = JSON.parse(text) as Cached;
    registerSecret(cached.url);
    return typeof cached.url === 'string' && typeof cached.credential_id === 'string' ? cached : undefined;
  } catch {
    return undefined;
  }
}

export async function forgetCredentials(ctx: Ctx, env: string): Promise<void> {
  await fs.rm(cacheFile(ctx, env), { force: true });
}

function collection(kind: Kind): 'passwords' | 'roles' {
  return kind === 'mysql' ? 'passwords' : 'roles';
}

async function alive(ctx: Ctx, http: HttpClient, branch: PsBranch, cached: Cached): Promise<boolean> {
  const res = await http.request<PsPassword & PsRole>({
    path: branchPath(ctx, branch.name, `/${collection(cached.kind)}/${encodeURIComponent(cached.credential_id)}`),
    what: `read the fork-stack credential of branch "${branch.name}"`,
    expect: [404],
    signal: ctx.signal,
  });
  const c = res.body;
  return res.status !== 404 && Boolean(c) && !c.expired && !c.deleted_at && !c.dropped_at;
}

/** Delete this checkout's credentials on the branch (by name), and the cached one if it is another. */
async function deleteStale(ctx: Ctx, http: HttpClient, branch: PsBranch, kind: Kind, name: string, cachedId?: string): Promise<void> {
  const what = `list the credentials of branch "${branch.name}"`;
  const existing = await listAll<{ id: string; name?: string }>(ctx, http, branchPath(ctx, branch.name, `/${collection(kind)}`), what, { q: name });
  const ids = new Set(existing.filter((c) => c.name === name).map((c) => c.id));
  if (cachedId) ids.add(cachedId);
  for (const id of ids) {
    await http.request({
      method: 'DELETE',
      path: branchPath(ctx, branch.name, `/${collection(kind)}/${encodeURIComponent(id)}`),
      what: `delete a stale fork-stack credential of branch "${branch.name}"`,
      expect: [404],
      signal: ctx.signal,
    });
  }
}

async function create(ctx: Ctx, http: HttpClient, branch: PsBranch, kind: Kind, name: string): Promise<{ id: string; url: string }> {
  const what = `create a ${kind === 'mysql' ? 'password' : 'role'} for branch "${branch.name}"`;
  const enc = encodeURIComponent;
  if (kind === 'mysql') {
    const res = await http.request<PsPassword>({
      method: 'POST',
      path: branchPath(ctx, branch.name, '/passwords'),
      body: { name, role: ctx.options.password_role },
      what,
      signal: ctx.signal,
    });
    const p = res.body;
    if (!p?.plain_text || !p.username || !p.access_host_url) throw new OperationError(`planetscale: ${what}: the answer has no username, password or host`);
    registerSecret(p.plain_text);
    return { id: p.id, url: `mysql://${enc(p.username)}:${enc(p.plain_text)}@${p.access_host_url}/${enc(ctx.options.database)}?sslaccept=strict` };
  }
  const res = await http.request<PsRole>({
    method: 'POST',
    path: branchPath(ctx, branch.name, '/roles'),
    body: { name, inherited_roles: ctx.options.role_inherits },
    what,
    signal: ctx.signal,
  });
  const r = res.body;
  if (!r?.password || !r.username || !r.access_host_url) throw new OperationError(`planetscale: ${what}: the answer has no username, password or host`);
  registerSecret(r.password);
  return { id: r.id, url: `postgresql://${enc(r.username)}:${enc(r.password)}@${r.access_host_url}/${enc(r.database_name ?? 'postgres')}?sslmode=verify-full` };
}

/** DATABASE_URL for `env`'s branch: the cached credential while PlanetScale still has it, else a new one. */
export async function branchUrl(ctx: Ctx, http: HttpClient, env: string, branch: PsBranch, kind: Kind): Promise<string> {
  const cached = await readCache(ctx, env);
  if (cached && cached.branch_id === branch.id && cached.kind === kind && (await alive(ctx, http, branch, cached))) return cached.url;
  const name = credentialName(ctx);
  await deleteStale(ctx, http, branch, kind, name, cached?.branch_id === branch.id ? cached.credential_id : undefined);
  const made = await create(ctx, http, branch, kind, name);
  const entry: Cached = { branch_id: branch.id, kind, credential_id: made.id, name, url: made.url, created_at: ctx.now().toISOString() };
  await writeFileAtomic(cacheFile(ctx, env), `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600, forceMode: true });
  return made.url;
}
