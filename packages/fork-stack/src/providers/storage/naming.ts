/** Bucket naming shared by storage providers: defaults from the original templates, BUCKET_* variables. */
import { DEFAULT_BUCKET_PATTERN, NAMED_BUCKET_PATTERN } from '../../runtime/conventions.generated.js';
import type { ProviderContext } from '../types.js';

// The readers rely on these defaults: conformance/v1/conventions.json (docs/architecture.md, "Conventions as data").
export { DEFAULT_BUCKET_PATTERN, NAMED_BUCKET_PATTERN };

export function bucketPattern(ctx: ProviderContext<unknown>, configured: string | undefined): string {
  if (configured) return configured;
  return ctx.bucket?.isDefault === false ? NAMED_BUCKET_PATTERN : DEFAULT_BUCKET_PATTERN;
}

/** The bucket's config name as it appears in placeholders: `{bucket}` = "uploads". */
export function bucketValues(ctx: ProviderContext<unknown>): Record<string, string> {
  return { bucket: ctx.bucket?.name ?? 'default' };
}

/** BUCKET_<NAME> for this bucket, and BUCKET_NAME when it is the default one. */
export function bucketVariables(ctx: ProviderContext<unknown>, value: string): Record<string, string> {
  const key = `BUCKET_${(ctx.bucket?.name ?? 'default').toUpperCase().replace(/-/g, '_')}`;
  const vars: Record<string, string> = {};
  if (ctx.bucket?.isDefault !== false) vars.BUCKET_NAME = value;
  vars[key] = value;
  return vars;
}
