import { connect, createServer, type Server, type Socket } from 'node:net';

/** Header carrying the real method of a request whose method Node's HTTP parser cannot read. */
export const ORIGINAL_METHOD_HEADER = 'x-fork-stack-fake-method';

/**
 * Node's HTTP parser rejects methods outside its fixed list, such as Vault's `LIST`. This TCP front
 * rewrites the request line of such a request to GET plus a header naming the real method, then relays
 * the connection to the HTTP server on `targetPort`. Only a connection's first request line is
 * rewritten, so the fake answers these requests with `Connection: close`.
 */
export function methodRewritingProxy(targetPort: number, methods: string[], sockets: Set<Socket>): Server {
  const pattern = new RegExp(`^(${methods.join('|')}) (\\S+) (HTTP/1\\.[01])\\r\\n`);
  return createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    let head = Buffer.alloc(0);
    let rewritten = false;
    const onData = (chunk: Buffer) => {
      if (rewritten) return void upstream.write(chunk);
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      if (!text.includes('\r\n') && head.length < 8192) return;
      rewritten = true;
      upstream.write(Buffer.from(text.replace(pattern, `GET $2 $3\r\n${ORIGINAL_METHOD_HEADER}: $1\r\n`), 'latin1'));
    };
    client.on('data', onData);
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
}
