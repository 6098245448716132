/**
 * The `doctor` checks of a cloud API provider: its credential variables are set, then one authenticated
 * read proves the API is reachable, the credentials are accepted (401) and may reach the configured
 * resource (403), and the resource exists (404). Each provider says what to read and how to word the
 * answers; the order and the fallback (anything else is a reachability failure) are the same for all.
 */
import { ProviderHttpError } from '../../core/http.js';
import type { Check, ProviderContext } from '../types.js';

type Failure = Omit<Check, 'status'>;

export interface CloudCheck {
  /** The credential variables that must be set. */
  credentials: string[];
  /** How to get them, when one is missing. */
  missingFix: string;
  /** The read: the check it passes (or fails, for an answer that is not an error). Throws the API's errors. */
  probe(): Promise<Check>;
  /** The check for each answer the read may get. */
  rejected: Failure;
  forbidden: Failure;
  notFound?: Failure;
  /** Variable that overrides the API's base URL (named in the reachability fix). */
  baseUrlEnv: string;
}

const listed = (names: string[]) => `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'}`;

/** "X is set", or the one failed check that says which are missing and how to get them. */
export function credentialCheck(ctx: ProviderContext<unknown>, names: string[], missingFix: string): { ok: boolean; check: Check } {
  const missing = names.filter((name) => !ctx.env[name]?.trim());
  if (missing.length > 0) return { ok: false, check: { name: 'credentials', status: 'fail', message: `${listed(missing)} not set`, fix: missingFix } };
  return { ok: true, check: { name: 'credentials', status: 'ok', message: `${listed(names)} set` } };
}

/** The failed check for an error of the authenticated read: 401, 403, 404 as the provider words them, else reachability. */
export function accessFailure(error: unknown, answers: Pick<CloudCheck, 'rejected' | 'forbidden' | 'notFound' | 'baseUrlEnv'>): Check {
  const status = error instanceof ProviderHttpError ? error.status : -1;
  const answer = status === 401 ? answers.rejected : status === 403 ? answers.forbidden : status === 404 ? answers.notFound : undefined;
  if (answer) {
    const { name, ...rest } = answer;
    return { name, status: 'fail', ...rest };
  }
  return { name: 'reachability', status: 'fail', message: error instanceof Error ? error.message : String(error), fix: `Check the network, or ${answers.baseUrlEnv} if you use a proxy.` };
}

export async function cloudChecks(ctx: ProviderContext<unknown>, spec: CloudCheck): Promise<Check[]> {
  const credentials = credentialCheck(ctx, spec.credentials, spec.missingFix);
  if (!credentials.ok) return [credentials.check];
  return [credentials.check, await spec.probe().catch((error: unknown) => accessFailure(error, spec))];
}
