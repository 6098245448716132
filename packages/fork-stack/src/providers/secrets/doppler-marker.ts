/**
 * fork-stack's ownership marker on a Doppler branch config (docs/architecture.md, "Ownership").
 *
 * Doppler configs carry no description, label or annotation, and secret notes are project-wide (one note
 * per secret name across every environment), so the marker is a secret of the branch config itself:
 * FORK_STACK_OWNER = {"project":"<fork-stack project>","env":"<environment>"}. fork-stack writes it right
 * after it creates or clones the config, hides it from `read`, `variables`, copies and `secrets set`, and
 * deletes, resets or forks over a branch config only when the marker names this project and environment.
 * A config without it (made by hand, or a create interrupted before the marker was written) is never
 * claimed; one marked for another project or environment is reported with `markedFor`.
 */
export const MARKER_KEY = 'FORK_STACK_OWNER';

export interface Marker {
  project: string;
  env: string;
}

export function markerValue(project: string, env: string): string {
  return JSON.stringify({ project, env });
}

/** The marker a raw secret value holds, or undefined when it is absent or not fork-stack's shape. */
export function parseMarker(raw: string | undefined): Marker | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<Marker>;
    return typeof value.project === 'string' && typeof value.env === 'string' ? { project: value.project, env: value.env } : undefined;
  } catch {
    return undefined;
  }
}
