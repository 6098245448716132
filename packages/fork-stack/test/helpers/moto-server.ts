/**
 * moto (https://github.com/getmoto/moto), an independent and widely used mock of AWS, as a peer the
 * project did not write: `python3 -m moto.server` on a free loopback port, in a temp directory, started
 * and stopped by the test. Unlike s3rver it has versioning (ListObjectVersions, delete markers), bucket
 * policies and ACLs, and it serves Secrets Manager too, so the S3 and aws-secrets providers are checked
 * against someone else's reading of the AWS APIs.
 *
 * Without python3 + moto the suites are skipped, except with CI=true, where a missing moto fails them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

export const MOTO_ACCESS_KEY = 'testing';
export const MOTO_SECRET_KEY = 'testing';

export interface MotoServer {
  endpoint: string;
  region: 'us-east-1';
  /** Variables a CLI or provider context needs to reach moto for S3 and Secrets Manager. */
  env: Record<string, string>;
  client(): S3Client;
  /** Forget every bucket and secret (POST /moto-api/reset). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

let probed: { ok: boolean; why: string } | undefined;

/** Whether python3 can import moto (with its server extras); cached. */
export function motoAvailable(): { ok: boolean; why: string } {
  if (probed) return probed;
  const out = spawnSync('python3', ['-c', 'import moto, moto.server, flask; print(moto.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  probed = out.status === 0 ? { ok: true, why: `moto ${out.stdout.trim()}` } : { ok: false, why: `python3 cannot import moto.server (${(out.stderr || String(out.error ?? '')).trim().split('\n').pop()})` };
  return probed;
}

/** True when the moto suites must be skipped (no moto, not on CI); on CI a missing moto throws. */
export function skipWithoutMoto(): boolean {
  const { ok, why } = motoAvailable();
  if (ok) return false;
  if (process.env.CI === 'true') throw new Error(`moto is required on CI: ${why}. Install it with: pip install "moto[server]"`);
  return true;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode} before it answered:\n${log()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`moto did not answer within ${timeoutMs} ms:\n${log()}`);
}

async function startOnce(): Promise<MotoServer> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'moto-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: directory,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: directory, PYTHONUNBUFFERED: '1', AWS_ACCESS_KEY_ID: MOTO_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: MOTO_SECRET_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const clients: S3Client[] = [];
  const stop = async () => {
    for (const c of clients) c.destroy();
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    region: 'us-east-1',
    env: {
      AWS_ACCESS_KEY_ID: MOTO_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: MOTO_SECRET_KEY,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    client() {
      const c = new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: MOTO_ACCESS_KEY, secretAccessKey: MOTO_SECRET_KEY },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      clients.push(c);
      return c;
    },
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
    },
    close: stop,
  };
}

/** Starts moto; a port taken between probing and binding is retried on another. */
export async function startMoto(): Promise<MotoServer> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      last = error;
      if (!/Address already in use/i.test(String((error as Error).message))) throw error;
    }
  }
  throw last;
}
