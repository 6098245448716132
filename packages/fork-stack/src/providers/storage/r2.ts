/**
 * Cloudflare R2 through its S3 API: a bucket per environment (or a prefix of a shared bucket), forked
 * by the same parallel server-side copy as s3. R2 differences (Cloudflare "S3 API compatibility"):
 * region "auto"; bucket names are lower-case letters, digits and hyphens only; no bucket or object
 * tagging (so fork-stack marks its buckets with a .fork-stack/owner.json object, and object tags do not
 * exist to be copied); no versioning; UploadPartCopy ignores x-amz-copy-source-if-match.
 * Credentials: R2_ACCESS_KEY_ID / R2_SECRET_ACCESS_KEY (an R2 API token's S3 keys), else AWS_*.
 */
import { UsageError } from '../../core/errors.js';
import type { Provider } from '../types.js';
import { AWS_CREDENTIAL_VARIABLES, endpointFromEnv } from './s3-common/client.js';
import { copyingProvider } from './s3-common/copying-provider.js';
import { objectOwnership } from './s3-common/ownership.js';
import type { Flavor } from './s3-common/session.js';
import type { R2Options } from './r2.schema.js';

const flavor: Flavor<R2Options> = {
  provider: 'r2',
  rules: 'r2',
  region: () => 'auto',
  endpoint(ctx) {
    const explicit = ctx.options.endpoint ?? endpointFromEnv(ctx.env);
    if (explicit) return explicit;
    if (!ctx.options.account_id) {
      throw new UsageError(`${ctx.slot}: account_id is not set`, {
        hint: `Add account_id = "<your Cloudflare account ID>" to [${ctx.slot}] (dashboard → R2 → Account details).`,
      });
    }
    return `https://${ctx.options.account_id}.${ctx.options.jurisdiction ? `${ctx.options.jurisdiction}.` : ''}r2.cloudflarestorage.com`;
  },
  credentialSets: [['R2_ACCESS_KEY_ID', 'R2_SECRET_ACCESS_KEY'], AWS_CREDENTIAL_VARIABLES],
  credentialHint: 'R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY (from an R2 API token)',
  ownership: () => objectOwnership(),
  copyTags: false,
  pinSourceVersion: false,
  locationConstraint: false,
  permissions: 'an R2 API token with "Admin Read & Write" (to create and delete buckets) or "Object Read & Write" in prefix mode',
};

export const provider = copyingProvider(flavor) satisfies Provider<R2Options>;
