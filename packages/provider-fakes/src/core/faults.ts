import { seededRandom } from './random.js';

/**
 * '429': rate limited, with Retry-After. '500'/'503': server errors. 'drop': the socket is destroyed
 * without an answer. 'stall': no answer for `stallMs` (longer than any client timeout), then dropped.
 */
export type FaultKind = '429' | '500' | '503' | 'drop' | 'stall';

export const FAULT_KINDS: readonly FaultKind[] = ['429', '500', '503', 'drop', 'stall'];

export interface FaultOptions {
  /** Fraction of requests (0–1) that get a fault. */
  rate: number;
  /** Faults to draw from, uniformly. Default: 429, 500, 503, drop. */
  kinds?: FaultKind[];
  /** RNG seed: the same seed and request sequence give the same faults. Default 1. */
  seed?: number;
  /** Only requests with these methods are candidates (e.g. ['POST', 'DELETE']). Default: all. */
  methods?: string[];
  /** Retry-After seconds sent with 429. Default 1. */
  retryAfterSeconds?: number;
  /** How long a stall lasts before the socket is dropped. Default 30 000 ms. */
  stallMs?: number;
  /**
   * Apply the request to the state first, then answer with the fault (the client sees a failure for a
   * create that did happen). Off by default: faults happen before the state is touched, so retries are safe.
   */
  afterApply?: boolean;
}

export interface FailRule {
  /** Operation key as in the spec, e.g. 'POST /projects/{project_id}/branches'. */
  operation?: string;
  method?: string;
  /** Exact request path (without the query), or a pattern. */
  path?: string | RegExp;
  /** Extra predicate on the parsed JSON body, e.g. (b) => b.branch?.name === 'alice'. */
  where?: (body: unknown) => boolean;
  /** Which matching request fails, counting from 1. Default 1. */
  nth?: number;
  /** How many consecutive matching requests fail from the nth on. Default 1. */
  times?: number;
  fault: FaultKind;
  afterApply?: boolean;
}

export interface FaultDecision {
  kind: FaultKind;
  afterApply: boolean;
}

export interface FaultCandidate {
  method: string;
  path: string;
  operation?: string;
  body: unknown;
}

export class FaultInjector {
  private random: () => number;
  private rules: { rule: FailRule; seen: number }[] = [];

  constructor(private readonly options: FaultOptions | undefined) {
    this.random = seededRandom(options?.seed ?? 1);
  }

  get retryAfterSeconds(): number {
    return this.options?.retryAfterSeconds ?? 1;
  }

  get stallMs(): number {
    return this.options?.stallMs ?? 30_000;
  }

  failNth(rule: FailRule): void {
    this.rules.push({ rule, seen: 0 });
  }

  reset(): void {
    this.random = seededRandom(this.options?.seed ?? 1);
    this.rules = [];
  }

  decide(request: FaultCandidate): FaultDecision | undefined {
    for (const entry of this.rules) {
      if (!matches(entry.rule, request)) continue;
      entry.seen += 1;
      const first = entry.rule.nth ?? 1;
      if (entry.seen >= first && entry.seen < first + (entry.rule.times ?? 1)) {
        return { kind: entry.rule.fault, afterApply: entry.rule.afterApply ?? false };
      }
    }
    const options = this.options;
    if (!options || options.rate <= 0) return undefined;
    if (options.methods && !options.methods.includes(request.method)) return undefined;
    // Draw for every candidate request, so the pattern depends only on the seed and the request order.
    const roll = this.random();
    const pick = this.random();
    if (roll >= options.rate) return undefined;
    const kinds = options.kinds && options.kinds.length > 0 ? options.kinds : (['429', '500', '503', 'drop'] as FaultKind[]);
    return { kind: kinds[Math.floor(pick * kinds.length)]!, afterApply: options.afterApply ?? false };
  }
}

function matches(rule: FailRule, request: FaultCandidate): boolean {
  if (rule.operation && rule.operation !== request.operation) return false;
  if (rule.method && rule.method.toUpperCase() !== request.method) return false;
  if (typeof rule.path === 'string' && rule.path !== request.path) return false;
  if (rule.path instanceof RegExp && !rule.path.test(request.path)) return false;
  if (rule.where && !rule.where(request.body)) return false;
  return true;
}
