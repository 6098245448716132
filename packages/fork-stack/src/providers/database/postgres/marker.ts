/**
 * The ownership marker: fork-stack writes `COMMENT ON DATABASE … IS 'fork-stack:{…}'` on every database
 * it creates. Only a database whose marker names this project (and environment) is ever returned as an
 * existing fork or dropped; a same-named database without it belongs to someone else.
 */
export const MARKER_PREFIX = 'fork-stack:';

export interface Marker {
  project: string;
  env: string;
  /** Parent environment; absent for a root made empty by `init`. */
  parent?: string;
  /** ISO 8601. */
  createdAt?: string;
  /** The create run that made it (Capabilities.recordsRun): written before the rename gives it its name. */
  run?: string;
  /** ISO 8601 expiry (`--ttl`), for gc on any machine. */
  expiresAt?: string;
}

export function formatMarker(marker: Marker): string {
  return MARKER_PREFIX + JSON.stringify({ v: 1, ...marker });
}

export function parseMarker(comment: string | null | undefined): Marker | undefined {
  if (!comment?.startsWith(MARKER_PREFIX)) return undefined;
  try {
    const value = JSON.parse(comment.slice(MARKER_PREFIX.length)) as Record<string, unknown>;
    if (typeof value.project !== 'string' || typeof value.env !== 'string') return undefined;
    return {
      project: value.project,
      env: value.env,
      parent: typeof value.parent === 'string' ? value.parent : undefined,
      createdAt: typeof value.createdAt === 'string' ? value.createdAt : undefined,
      run: typeof value.run === 'string' ? value.run : undefined,
      expiresAt: typeof value.expiresAt === 'string' ? value.expiresAt : undefined,
    };
  } catch {
    return undefined;
  }
}

/** True when the comment marks the database as this project's environment `env`. */
export function isOurs(comment: string | null | undefined, project: string, env: string): boolean {
  const marker = parseMarker(comment);
  return marker !== undefined && marker.project === project && marker.env === env;
}

/** Whose the database is, when its marker names another project or environment than (project, env). */
export function markedFor(comment: string | null | undefined, project: string, env: string): { project: string; env: string } | undefined {
  const marker = parseMarker(comment);
  if (!marker || (marker.project === project && marker.env === env)) return undefined;
  return { project: marker.project, env: marker.env };
}

/** "belongs to fork-stack project "hbc", environment "d-e"" or "carries no fork-stack marker". */
export function ownerText(comment: string | null | undefined, project: string, env: string): string {
  const other = markedFor(comment, project, env);
  if (!other) return `carries no fork-stack marker for project "${project}", environment "${env}"`;
  if (other.project !== project) return `belongs to another fork-stack project: "${other.project}", environment "${other.env}"`;
  return `belongs to environment "${other.env}" of this project, not "${env}"`;
}
