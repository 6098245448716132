/**
 * A pass-through HTTP proxy in front of a provider fake that, while armed, turns chosen requests into
 * failures whose error message quotes the request body and the provider's answer — the worst case of
 * an API that echoes what it was sent (secret values included). The error body uses the provider's
 * own error format so the client reads the message the way it would read a real one.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ErrorFormat = 'doppler' | 'aws' | 'vault';

export interface EchoProxy {
  url: string;
  /** Requests that fail (with the echo) while this returns true. */
  failWhen(predicate: ((req: { method: string; path: string; target?: string }) => boolean) | undefined): void;
  /** How many requests were turned into echoing failures. */
  echoed: number;
  close(): Promise<void>;
}

function errorBody(format: ErrorFormat, message: string): { headers: Record<string, string>; body: string } {
  if (format === 'aws') {
    return {
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ValidationException' },
      body: JSON.stringify({ __type: 'ValidationException', message }),
    };
  }
  const body = format === 'doppler' ? { messages: [message], success: false } : { errors: [message] };
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startEchoProxy(upstream: string, format: ErrorFormat): Promise<EchoProxy> {
  let predicate: Parameters<EchoProxy['failWhen']>[0];
  const proxy: EchoProxy = {
    url: '',
    echoed: 0,
    failWhen(p) {
      predicate = p;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const origin = new URL(upstream).origin;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)),
      ) as Record<string, string>;
      const answer = await fetch(`${origin}${req.url ?? '/'}`, { method: req.method, headers, body: body.length > 0 ? body : undefined });
      const text = await answer.text();
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (predicate?.({ method: req.method ?? 'GET', path, target: headers['x-amz-target'] })) {
        proxy.echoed += 1;
        const { headers: h, body: b } = errorBody(format, `request rejected: you sent ${body.toString('utf8')}; we had ${text}`);
        res.writeHead(400, h).end(b);
        return;
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((v, k) => {
        if (!['content-length', 'connection', 'transfer-encoding', 'content-encoding'].includes(k)) out[k] = v;
      });
      res.writeHead(answer.status, out).end(text);
    })().catch((error: unknown) => {
      res.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
