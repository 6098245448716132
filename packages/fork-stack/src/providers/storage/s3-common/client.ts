/**
 * One S3 client per provider context: endpoint, region, addressing style, credentials and the SDK's
 * retry strategy. Throttling (503 SlowDown, 429) and 5xx are retried by the SDK itself in "adaptive"
 * mode — exponential backoff plus a client-side rate limiter that slows the whole copy down when the
 * server pushes back — with the same attempt budget as every other provider (core/retry.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { UsageError } from '../../../core/errors.js';
import { DEFAULT_ATTEMPTS } from '../../../core/retry.js';
import { registerSecret } from '../../../core/scrub.js';
import type { ProviderContext } from '../../types.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Environment variables that may hold a key pair, most specific first: ["R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY"]. */
export type CredentialVariables = readonly [id: string, secret: string, token?: string];

export const AWS_CREDENTIAL_VARIABLES: CredentialVariables = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

export interface ClientSettings {
  /** Provider name for messages: "s3", "r2", "tigris". */
  provider: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** Undefined: the SDK's default chain (AWS_PROFILE, SSO, web identity, container and instance roles). */
  credentials?: Credentials;
  /** Sockets kept open to the endpoint; at least the copy concurrency so requests never queue for one. */
  maxSockets: number;
}

/**
 * The first complete key pair found in the environment. Half a pair is a configuration error naming the
 * missing half; none at all returns undefined (the caller decides whether the SDK chain may be used).
 */
export function credentialsFromEnv(ctx: Pick<ProviderContext<unknown>, 'env' | 'slot'>, sets: readonly CredentialVariables[]): Credentials | undefined {
  for (const [idVar, secretVar, tokenVar] of sets) {
    const id = ctx.env[idVar]?.trim();
    const secret = ctx.env[secretVar]?.trim();
    if (!id && !secret) continue;
    if (!id || !secret) {
      const missing = id ? secretVar : idVar;
      throw new UsageError(`${ctx.slot}: ${missing} is not set (${id ? idVar : secretVar} is)`, {
        hint: `Set both ${idVar} and ${secretVar}, or neither.`,
      });
    }
    const token = tokenVar ? ctx.env[tokenVar]?.trim() : undefined;
    registerSecret(secret);
    registerSecret(token);
    return { accessKeyId: id, secretAccessKey: secret, sessionToken: token || undefined };
  }
  return undefined;
}

/**
 * The S3 endpoint the environment names, read as the AWS SDK reads it: AWS_ENDPOINT_URL_S3, else the
 * global AWS_ENDPOINT_URL (the service-specific one wins), none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
 * is set. fork-stack must read it itself: left to the SDK, the endpoint would be used without path-style
 * addressing (http://localhost:PORT becomes http://<bucket>.localhost:PORT, ENOTFOUND) and the app's
 * variables would not carry it.
 */
export function endpointFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (/^(1|true)$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim() ?? '')) return undefined;
  return env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
}

/**
 * Path-style addressing is the only one that works against localhost, bare IP endpoints and single-label
 * host names (a docker-compose service such as http://minio:9000): <bucket>.<host> does not resolve there.
 * Named services on real domains (AWS, R2, Tigris) keep virtual-hosted addressing.
 */
export function defaultPathStyle(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[') || !host.includes('.');
}

export function createClient(settings: ClientSettings): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: settings.maxSockets };
  const config: S3ClientConfig = {
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: settings.credentials,
    // Bucket-level calls on AWS can land in another region (ListBuckets is global); follow the redirect.
    followRegionRedirects: !settings.endpoint,
    retryMode: 'adaptive',
    maxAttempts: DEFAULT_ATTEMPTS,
    // Flexible checksums only where the API requires one: several S3-compatible servers reject the
    // newer CRC headers on requests that do not need them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: 10_000,
      requestTimeout: 300_000,
    },
  };
  return new S3Client(config);
}
