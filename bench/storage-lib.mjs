// Helpers for the storage benchmarks: an S3 server in a child process (so its CPU does not share the
// client's thread), a TCP proxy that adds a round-trip delay, and TypeScript imports from the repo.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './lib.mjs';

const { tsImport } = await import('tsx/esm/api');
export const load = (rel) => tsImport(path.join(REPO, rel), import.meta.url);

/** Starts `bench/storage-server.mts <kind>` in a child; resolves with { endpoint, env, stop }. */
export function startServerProcess(kind, extra = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'storage-server.mts'), kind, ...extra], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ ...JSON.parse(line), stop: () => child.kill('SIGTERM'), child });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

/**
 * A TCP proxy that holds every chunk for `oneWayMs` in each direction: one request/response exchange
 * costs 2 × oneWayMs more, like a client far from its storage endpoint.
 */
export async function delayProxy(upstreamPort, oneWayMs) {
  const pipeDelayed = (from, to) => {
    let last = 0;
    from.on('data', (chunk) => {
      const at = Math.max(Date.now() + oneWayMs, last);
      last = at;
      setTimeout(() => to.write(chunk), at - Date.now());
    });
    from.on('end', () => setTimeout(() => to.end(), Math.max(0, last - Date.now()) + 1));
    from.on('error', () => to.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    pipeDelayed(client, upstream);
    pipeDelayed(upstream, client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

export const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Writes `text` into its section of bench/results/storage.md (between <!-- name:start/end --> markers). */
export function recordSection(name, text) {
  const file = path.join(REPO, 'bench/results/storage.md');
  mkdirSync(path.dirname(file), { recursive: true });
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Storage benchmarks\n';
  const block = `<!-- ${name}:start -->\n${text}\n<!-- ${name}:end -->`;
  const re = new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`);
  doc = re.test(doc) ? doc.replace(re, block) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, doc);
}
