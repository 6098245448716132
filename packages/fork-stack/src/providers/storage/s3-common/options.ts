/**
 * Option pieces shared by the S3-compatible storage schemas (s3, r2, tigris), so every one of them
 * spells `name`, `names`, `endpoint`, `concurrency`, `mode`… the same way.
 */
import { z } from 'zod';
import { nameOverrides, namePattern } from '../../../core/config-schema.js';
import { DEFAULT_BUCKET_PATTERN, DEFAULT_KEY_PREFIX, NAMED_BUCKET_PATTERN } from '../../../runtime/conventions.generated.js';

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** "64MiB", "5 GiB", "1000000" → bytes; undefined when the text is not a size. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  if (!match) return undefined;
  const factor = UNITS[(match[2] ?? 'b').toLowerCase()];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

/** A byte size given as a number of bytes or a string with a unit ("64MiB"); parsed to bytes. */
export function sizeOption(defaultValue: string, min: number, max: number, description: string) {
  return z
    .union([z.number().int(), z.string()])
    .default(defaultValue)
    .transform((value, ctx) => {
      const bytes = parseSize(value);
      if (bytes === undefined || bytes < min || bytes > max) {
        ctx.addIssue({ code: 'custom', message: `must be a size between ${min} and ${max} bytes, e.g. "${defaultValue}"` });
        return z.NEVER;
      }
      return bytes;
    })
    .meta({ description, examples: [defaultValue] });
}

// The readers rely on the bucket and key-prefix defaults: conformance/v1/conventions.json (docs/architecture.md,
// "Conventions as data").
export const bucketName = namePattern(DEFAULT_BUCKET_PATTERN, ['bucket'])
  .optional()
  .meta({
    description: `Bucket name per environment. Default: ${DEFAULT_BUCKET_PATTERN} for the default bucket, ${NAMED_BUCKET_PATTERN} for the others.`,
  });

export const bucketNames = nameOverrides;

export const endpoint = z
  .url({ protocol: /^https?$/ })
  .optional()
  .meta({ description: 'S3 API endpoint. Default: the provider\'s own; AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL) in the environment also sets it.' });

export const forcePathStyle = z
  .boolean()
  .optional()
  .meta({ description: 'Address buckets as <endpoint>/<bucket> instead of <bucket>.<endpoint> (MinIO, Ceph, local servers). Default: on for localhost and IP endpoints.' });

export const concurrency = z
  .number()
  .int()
  .min(1)
  .max(1024)
  .default(64)
  .meta({ description: 'Objects copied (and delete batches sent) at once.' });

export const mode = z
  .enum(['bucket', 'prefix'])
  .default('bucket')
  .meta({ description: '"bucket": one bucket per environment. "prefix": one shared bucket, each environment under its own key prefix.' });

export const sharedBucket = z
  .string()
  .min(3)
  .max(63)
  .optional()
  .meta({ description: 'prefix mode: the one bucket every environment shares (must exist).' });

export const keyPrefix = z
  .string()
  .default(DEFAULT_KEY_PREFIX)
  .refine((p) => /^[^{}]+\{env\}\/$/.test(p) && !p.startsWith('/'), {
    message: 'must be a fixed folder followed by {env}/, e.g. "forks/{env}/"',
  })
  .meta({ description: 'prefix mode: where each forked environment lives in the shared bucket. Roots live at the bucket\'s top level.' });

export const multipartThreshold = sizeOption(
  '5GiB',
  5 * 2 ** 20,
  5 * 2 ** 30,
  'Objects larger than this are copied part by part (UploadPartCopy). S3 copies at most 5 GiB in one request.',
);

export const partSize = sizeOption('256MiB', 5 * 2 ** 20, 5 * 2 ** 30, 'Part size of multipart copies (raised automatically to stay within 10,000 parts).');

/** Cross-field rule: prefix mode needs the shared bucket. */
export function requireSharedBucket(value: { mode: string; bucket?: string }, ctx: z.RefinementCtx): void {
  if (value.mode === 'prefix' && !value.bucket) {
    ctx.addIssue({ code: 'custom', path: ['bucket'], message: 'is required when mode = "prefix" (the shared bucket every environment lives in)' });
  }
}
