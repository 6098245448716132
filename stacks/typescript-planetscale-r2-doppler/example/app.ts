/**
 * What this app connects to in the current environment — stack typescript-planetscale-r2-doppler: PlanetScale, Cloudflare R2, Doppler.
 *
 *   node --import tsx example/app.ts              the current environment's connections (passwords masked)
 *   node --import tsx example/app.ts --json       the same, as JSON
 *   node --import tsx example/app.ts --put <key>  write an object into the current environment's bucket
 *
 * Every value comes from the reader (envUtils.ts): the process environment first (production), then
 * .fork-stack/envs/<env>.env written by `fork-stack switch`, then fork-stack.toml's naming conventions —
 * so `make envs-switch alice` points the app at alice's database, bucket and secrets without a code change.
 * The database is not opened here (`mysql2`: mysql.createConnection({ uri: getDatabaseUrl(), ssl: {} }) in your app); --put uses the AWS SDK with the
 * environment's bucket, endpoint and region, and the app's own keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).
 */
import { pathToFileURL } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EnvConfig, ForkStackRuntimeError } from '../envUtils.js';

/** Variables fork-stack writes for the providers; every other key of the env file is the app's own secret. */
const STACK_KEYS = ['FORK_STACK_ENV', 'DATABASE_URL', 'DATABASE_AUTH_TOKEN', 'BUCKET_', 'AWS_', 'CACHE_', 'REDIS_URL', 'QUEUE_'];

export interface Summary {
  env: string;
  project: string;
  database: { provider: string; url: string; auth_token: 'set' | null };
  storage: { provider: string; bucket: string; endpoint: string | null; region: string | null };
  secrets: string[];
}

/** The URL with its password replaced by ****, for printing. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    return url.replace(`:${parsed.password}@`, ':****@');
  } catch {
    return url;
  }
}

export function describe(config: EnvConfig): Summary {
  return {
    env: config.getCurrentEnv(),
    project: config.getProjectName(),
    database: { provider: 'planetscale', url: maskUrl(config.getDatabaseUrl()), auth_token: config.getDatabaseAuthToken() ? 'set' : null },
    storage: {
      provider: 'r2',
      bucket: config.getBucketName(),
      endpoint: config.lookupSecret('AWS_ENDPOINT_URL_S3') ?? null,
      region: config.lookupSecret('AWS_REGION') ?? null,
    },
    secrets: Object.keys(config.getAllSecrets())
      .filter((key) => !STACK_KEYS.some((prefix) => key.startsWith(prefix)))
      .sort(),
  };
}

/** An S3 client for the current environment's storage (Tigris, R2 and S3 all speak the S3 API). */
export function bucketClient(config: EnvConfig): S3Client {
  const endpoint = config.lookupSecret('AWS_ENDPOINT_URL_S3');
  return new S3Client({
    endpoint,
    region: config.lookupSecret('AWS_REGION') ?? 'us-east-1',
    // Local S3-compatible servers are addressed as <endpoint>/<bucket>.
    forcePathStyle: endpoint !== undefined && /^https?:\/\/(localhost|127\.|\[::1\])/.test(endpoint),
  });
}

export async function putObject(config: EnvConfig, key: string, body: string): Promise<{ env: string; bucket: string; key: string }> {
  const bucket = config.getBucketName();
  const client = bucketClient(config);
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: config.getS3Key('notes', key), Body: body, ContentType: 'text/plain' }));
  } finally {
    client.destroy();
  }
  return { env: config.getCurrentEnv(), bucket, key: config.getS3Key('notes', key) };
}

export async function main(argv: string[], config = new EnvConfig()): Promise<number> {
  try {
    const put = argv.indexOf('--put');
    if (put !== -1) {
      const key = argv[put + 1];
      if (!key) throw new Error('--put needs a key, e.g. --put hello.txt');
      console.log(JSON.stringify(await putObject(config, key, `written in ${config.getCurrentEnv()}\n`)));
      return 0;
    }
    const summary = describe(config);
    if (argv.includes('--json')) {
      console.log(JSON.stringify(summary, null, 2));
      return 0;
    }
    console.log(`environment  ${summary.env}  (project ${summary.project})`);
    console.log(`database     ${summary.database.provider}  ${summary.database.url}`);
    console.log(`storage      ${summary.storage.provider}  bucket=${summary.storage.bucket}  endpoint=${summary.storage.endpoint ?? '(AWS)'}  region=${summary.storage.region ?? '(none)'}`);
    console.log(`secrets      ${summary.secrets.join(', ') || '(none)'}`);
    return 0;
  } catch (error) {
    console.error(`error: ${error instanceof ForkStackRuntimeError || error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
