import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, ProviderHttpError } from '../../src/core/http.js';
import { backoffDelay, retryAfterMs } from '../../src/core/retry.js';
import { registerSecret } from '../../src/core/scrub.js';
import { classifyAwsError } from '../../src/providers/secrets/aws-client.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: (n: number, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<string> {
  let n = 0;
  server = createServer((req, res) => handler(++n, req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const fast = { attempts: 4, baseDelayMs: 1 };

describe('HttpClient', () => {
  it('retries 429 (honouring Retry-After), 5xx and dropped connections, then succeeds', async () => {
    const url = await serve((n, req, res) => {
      if (n === 1) return res.writeHead(429, { 'retry-after': '0' }).end('{"message":"slow down"}');
      if (n === 2) return res.writeHead(503).end();
      if (n === 3) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const client = new HttpClient({ provider: 'test', baseUrl: url, headers: {}, retry: fast });
    const response = await client.request<{ ok: boolean }>({ path: '/x', what: 'get x' });
    expect(response.body.ok).toBe(true);
  });

  it('does not retry other 4xx and reports the provider message with a hint', async () => {
    let calls = 0;
    const url = await serve((_n, _req, res) => {
      calls++;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"invalid token sk_abcdef123"}');
    });
    registerSecret('sk_abcdef123');
    const client = new HttpClient({ provider: 'neon', baseUrl: url, headers: {}, retry: fast });
    const error = await client.request({ path: '/x', what: 'list branches' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderHttpError);
    expect((error as ProviderHttpError).message).toBe('neon: list branches failed: HTTP 401 — invalid token ****');
    expect((error as ProviderHttpError).hint).toMatch(/credentials/);
    expect(calls).toBe(1);
  });

  it('never quotes the error answer of a request whose answers hold secret values', async () => {
    const url = await serve((_n, _req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"messages":["bad request; we had STRIPE_KEY=sk_live_unseen"]}'));
    const client = new HttpClient({ provider: 'doppler', baseUrl: url, headers: {}, retry: fast });
    const error = await client.request({ path: '/download', what: 'read the secrets of prd', answersHoldSecrets: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderHttpError);
    expect((error as ProviderHttpError).message).toMatch(/^doppler: read the secrets of prd failed: HTTP 400 — the provider's message is not shown/);
    expect((error as ProviderHttpError).message).not.toContain('sk_live_unseen');
  });

  it('returns expected statuses instead of throwing', async () => {
    const url = await serve((_n, _req, res) => res.writeHead(404).end('{"message":"not found"}'));
    const client = new HttpClient({ provider: 'p', baseUrl: url, headers: {} });
    expect((await client.request({ path: '/x', what: 'find', expect: [404] })).status).toBe(404);
  });

  it('times out a stalled call and retries it', async () => {
    const url = await serve((n, _req, res) => {
      if (n === 1) return; // never answers
      res.writeHead(200).end('{}');
    });
    const client = new HttpClient({ provider: 'p', baseUrl: url, headers: {}, timeoutMs: 200, retry: fast });
    expect((await client.request({ path: '/x', what: 'x' })).status).toBe(200);
  });

  it('a 501 answer is not retried (only 408, 429, 500, 502, 503, 504 and network errors are transient)', async () => {
    for (const status of [501, 505, 400, 404, 409, 422]) {
      let calls = 0;
      const url = await serve((_n, _req, res) => {
        calls++;
        res.writeHead(status).end('nope');
      });
      const client = new HttpClient({ provider: 'p', baseUrl: url, headers: {}, retry: fast });
      await expect(client.request({ path: '/x', what: 'create thing' })).rejects.toThrow(`HTTP ${status}`);
      expect({ status, calls }).toEqual({ status, calls: 1 });
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    }
    for (const status of [408, 429, 500, 502, 503, 504]) {
      let calls = 0;
      const url = await serve((_n, _req, res) => {
        calls++;
        res.writeHead(status, { 'retry-after': '0' }).end('busy');
      });
      const client = new HttpClient({ provider: 'p', baseUrl: url, headers: {}, retry: fast });
      await expect(client.request({ path: '/x', what: 'create thing' })).rejects.toThrow(`HTTP ${status}`);
      expect({ status, calls }).toEqual({ status, calls: fast.attempts });
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    }
  });

  it('an AWS 501 (server fault) is not retried; an AWS 503 is', () => {
    expect(classifyAwsError({ name: 'NotImplemented', $fault: 'server', $metadata: { httpStatusCode: 501 } }).retry).toBe(false);
    expect(classifyAwsError({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } }).retry).toBe(true);
  });

  it('gives up after the attempts and says why', async () => {
    const url = await serve((_n, _req, res) => res.writeHead(500).end('boom'));
    const client = new HttpClient({ provider: 'p', baseUrl: url, headers: {}, retry: fast });
    await expect(client.request({ path: '/x', what: 'create thing' })).rejects.toThrow('p: create thing failed: HTTP 500 — boom');
  });
});

describe('retry helpers', () => {
  it('backoff grows and is jittered within the ceiling', () => {
    expect(backoffDelay(1, { baseDelayMs: 100, random: () => 1 })).toBe(100);
    expect(backoffDelay(4, { baseDelayMs: 100, random: () => 1 })).toBe(800);
    expect(backoffDelay(30, { baseDelayMs: 100, maxDelayMs: 5000, random: () => 0.5 })).toBe(2500);
  });
  it('parses Retry-After', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
