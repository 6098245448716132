/**
 * Bucket-name rules of each S3-compatible service, checked before any call (docs/architecture.md, "Create, rollback and recovery") so that a name
 * that cannot work is a usage error naming the rule, not a 400 from the provider after half the
 * environment was made. Sources: AWS "General purpose bucket naming rules", Cloudflare R2 "Create new
 * buckets" (3–63 chars, lower-case letters, digits and hyphens), Tigris "Bucket Naming Rules".
 */
export type BucketNameRules = 's3' | 'r2' | 'tigris';

const IP_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;

const RESERVED: Record<BucketNameRules, { prefixes: string[]; suffixes: string[] }> = {
  s3: { prefixes: ['xn--', 'sthree-', 'amzn-s3-demo-'], suffixes: ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] },
  r2: { prefixes: [], suffixes: [] },
  tigris: { prefixes: ['xn--'], suffixes: ['-s3alias'] },
};

const SERVICE: Record<BucketNameRules, string> = { s3: 'S3', r2: 'R2', tigris: 'Tigris' };

/** A problem with `name` as a bucket name for the service, or undefined when it is valid. */
export function bucketNameProblem(name: string, rules: BucketNameRules): string | undefined {
  const service = SERVICE[rules];
  if (name.length < 3 || name.length > 63) {
    return `bucket name "${name}" is ${name.length} characters long; ${service} allows 3 to 63`;
  }
  const allowed = rules === 'r2' ? /^[a-z0-9-]+$/ : /^[a-z0-9.-]+$/;
  if (!allowed.test(name)) {
    const bad = [...new Set(name.replace(rules === 'r2' ? /[a-z0-9-]/g : /[a-z0-9.-]/g, ''))];
    const what = rules === 'r2' ? 'lower-case letters, digits and "-"' : 'lower-case letters, digits, "-" and "."';
    return `bucket name "${name}" contains ${bad.map((c) => JSON.stringify(c)).join(', ')}; ${service} allows only ${what}`;
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return `bucket name "${name}" must start and end with a lower-case letter or a digit (${service})`;
  }
  if (name.includes('..')) return `bucket name "${name}" has two dots in a row (${service})`;
  if (IP_LIKE.test(name)) return `bucket name "${name}" looks like an IP address (${service})`;
  const reserved = RESERVED[rules];
  const prefix = reserved.prefixes.find((p) => name.startsWith(p));
  if (prefix) return `bucket name "${name}" starts with "${prefix}", which ${service} reserves`;
  const suffix = reserved.suffixes.find((s) => name.endsWith(s));
  if (suffix) return `bucket name "${name}" ends with "${suffix}", which ${service} reserves`;
  return undefined;
}
