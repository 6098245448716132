/**
 * Identities of a file or directory on this machine, whatever the spelling: relative to the project root,
 * `./`, `..`, a trailing `/`, `~`, a symlink (real path), a hard link (device and inode), a `file:` URL.
 *
 * `path:<real path>`  the file or directory itself;
 * `inode:<dev>:<ino>` the same, through any hard link (when it exists);
 * `under:<real path>` for the path and each of its ancestors, so that a directory resource (an fs bucket)
 *                     matches any path inside it.
 */
import { realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The real path of `file`; for a path that does not exist, its deepest existing ancestor's real path + the rest. */
export function realPath(file: string): string {
  const absolute = path.resolve(file);
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(realpathSync.native(current), ...rest.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

/** A value as written (no scheme) → absolute path, or undefined when it cannot be a path. */
export function resolvePath(value: string, root: string): string | undefined {
  if (value === '' || value.includes('\0') || value.includes('\n') || value.length > 4096) return undefined;
  if (value === '~' || value.startsWith('~/')) return path.join(os.homedir(), value.slice(1));
  return path.resolve(root, value);
}

export function fileIdentities(absolute: string): string[] {
  const real = realPath(absolute);
  const ids = [`path:${real}`];
  try {
    const stat = statSync(real);
    ids.push(`inode:${stat.dev}:${stat.ino}`);
  } catch {
    // Not there (yet): the path alone names it.
  }
  return ids;
}

/** Identities of a directory resource: it and anything under it. */
export function directoryIdentities(absolute: string): string[] {
  const ids = fileIdentities(absolute);
  return [...ids.filter((id) => id.startsWith('inode:')), `under:${realPath(absolute)}`];
}

/** Identities of a path a variable may hold: itself, and `under:` each ancestor. */
export function pathIdentities(absolute: string): string[] {
  const ids = fileIdentities(absolute);
  let current = realPath(absolute);
  for (;;) {
    ids.push(`under:${current}`);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return ids;
}

/**
 * Paths a `file:` / `sqlite:` URL may mean. Readers differ: libSQL and Prisma take `file:` + a path
 * (`file:./dev.db`, `file:/abs`), file URLs have `file:///abs` or `file://localhost/abs`, SQLAlchemy's
 * `sqlite:///rel.db` is relative and `sqlite:////abs.db` absolute. Every reading is returned.
 */
export function fileUrlPaths(value: string, root: string): string[] {
  const match = /^(?:file|sqlite3?|libsql\+file):(.*)$/is.exec(value.trim());
  if (!match) return [];
  let rest = (match[1] ?? '').split(/[?#]/)[0] ?? '';
  try {
    rest = decodeURIComponent(rest);
  } catch {
    // Keep it as written.
  }
  const candidates = new Set<string>();
  const add = (p: string): void => {
    const resolved = resolvePath(p, root);
    if (resolved) candidates.add(resolved);
  };
  if (rest.startsWith('//')) {
    const afterHost = rest.replace(/^\/\/(localhost)?/i, '');
    add(afterHost.startsWith('/') ? afterHost : `/${afterHost}`);
    add(rest.slice(3)); // sqlite:///rel.db (SQLAlchemy)
  } else {
    add(rest);
  }
  return [...candidates];
}
