/**
 * Notes over HTTP (node:http, no framework) in the current environment:
 *
 *   GET  /             the environment's notes (rows) and files (bucket)
 *   POST /notes        body=<text> (form or JSON): one row and one file
 *   GET  /api/status   the same as JSON
 *
 *   PORT=8000 node --import tsx src/server.ts      (make up)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { EnvConfig } from '../envUtils.js';
import { addNote, status, type Status } from './notes.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(s: Status): string {
  return `<!doctype html><meta charset=utf-8><title>notes — ${escape(s.env)}</title>
<h1>Notes in <code>${escape(s.env)}</code></h1>
<form method=post action=/notes><input name=body required autofocus> <button>Add</button></form>
<h2>Rows</h2><ul>${s.notes.map((n) => `<li>${escape(n.body)}</li>`).join('')}</ul>
<h2>Files in <code>${escape(s.bucket)}</code></h2><ul>${s.files.map((f) => `<li><code>${escape(f)}</code></li>`).join('')}</ul>`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) return String((JSON.parse(text || '{}') as { body?: unknown }).body ?? '');
  return new URLSearchParams(text).get('body') ?? '';
}

function send(res: ServerResponse, code: number, body: string, type = 'application/json', headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function notesServer(config = new EnvConfig()): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'GET' && req.url === '/api/status') return send(res, 200, JSON.stringify(await status(config)));
        if (req.method === 'GET' && req.url === '/') return send(res, 200, page(await status(config)), 'text/html; charset=utf-8');
        if (req.method === 'POST' && req.url === '/notes') {
          const body = (await readBody(req)).trim();
          if (!body) return send(res, 400, JSON.stringify({ error: 'body is required' }));
          const added = await addNote(config, body);
          if ((req.headers.accept ?? '').includes('application/json')) return send(res, 201, JSON.stringify(added));
          return send(res, 303, '', 'text/plain', { Location: '/' });
        }
        send(res, 404, JSON.stringify({ error: 'not found' }));
      } catch (error) {
        send(res, 500, JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      }
    })();
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = new EnvConfig();
  const env = config.getCurrentEnv();
  const server = notesServer(config);
  server.listen(Number(process.env.PORT ?? 8000), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`serving ${env} on http://127.0.0.1:${port}`);
  });
}
