/**
 * A pass-through proxy in front of any provider fake that, while armed, fails chosen requests with an
 * error body quoting the request it got and the fake's own answer — secret values, minted passwords
 * and tokens included. The body carries the message under every key the clients read (`message`,
 * `error`, `errors`, `messages`; AWS's `__type` + `message`), so whichever provider parses it shows it.
 * (test/safety/echo-proxy.ts does the same per format for the secrets providers alone.)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoRequest {
  method: string;
  path: string;
  /** AWS JSON protocol operation (X-Amz-Target). */
  target?: string;
}

export interface AnyEchoProxy {
  /** Origin of the proxy (http://127.0.0.1:port). */
  origin: string;
  /**
   * Fail the requests for which this returns true (it sees the request and the fake's answer); the error
   * quotes the request, and the answer too unless `quoteAnswer` is false.
   */
  failWhen(predicate: ((req: EchoRequest, answer: string) => boolean) | undefined, options?: { quoteAnswer?: boolean }): void;
  echoed: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startAnyEchoProxy(upstreamOrigin: string): Promise<AnyEchoProxy> {
  let predicate: Parameters<AnyEchoProxy['failWhen']>[0];
  let quoteAnswer = true;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k))
      ) as Record<string, string>;
      const answer = await fetch(`${upstreamOrigin}${req.url ?? '/'}`, { method: req.method, headers, body: body.length > 0 ? body : undefined });
      const text = await answer.text();
      const request: EchoRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/', target: headers['x-amz-target'] };
      if (predicate?.(request, text)) {
        proxy.echoed += 1;
        const message = `request rejected: you sent ${body.toString('utf8')}${quoteAnswer ? `; we had ${text}` : ''}`;
        const aws = request.target !== undefined;
        const errorBody = aws
          ? { __type: 'ValidationException', message }
          : { message, error: message, errors: [message], messages: [message], code: 'echo', success: false };
        res
          .writeHead(400, {
            'content-type': aws ? 'application/x-amz-json-1.1' : 'application/json',
            ...(aws ? { 'x-amzn-errortype': 'ValidationException' } : {}),
          })
          .end(JSON.stringify(errorBody));
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
  const proxy: AnyEchoProxy = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    echoed: 0,
    failWhen(p, options = {}) {
      predicate = p;
      quoteAnswer = options.quoteAnswer ?? true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return proxy;
}
