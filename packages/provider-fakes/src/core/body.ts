/** Reading a request's body (bounded) and writing a fake's answer: JSON, text or nothing. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorReply, Reply } from './provider.js';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body over 5 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function writeReply(response: ServerResponse, reply: Reply | ErrorReply): void {
  if (response.destroyed) return;
  const status = reply.status ?? 200;
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined && status !== 204) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  response.writeHead(status, headers);
  response.end(payload);
}
