/**
 * One spelling per server host, so that the prod guard (docs/backends/secrets.md, "Safety rules") sees
 * `localhost`, `127.0.0.1`, `127.1`, `[::1]`, `LOCALHOST.` and a Unix socket directory as the same place.
 *
 * Every spelling of "this machine" becomes LOCAL: loopback names and addresses (all of 127.0.0.0/8, ::1,
 * IPv4-mapped loopback, 0.0.0.0 and ::, which Linux connects to locally), this machine's host name and
 * interface addresses, and Unix socket directories (a socket is always local; a server listens on its
 * socket and its TCP port under the same port number). Two servers on one machine cannot share a TCP port,
 * so LOCAL plus the port names one server.
 *
 * Numeric and IDNA forms are normalised by the WHATWG URL parser of a special scheme (http), which
 * database schemes do not get: `new URL('postgres://127.1').hostname` stays "127.1".
 */
import os from 'node:os';

export const LOCAL = 'localhost';

let machine: Set<string> | undefined;

/** This machine's host name and interface addresses, read once. */
function machineNames(): Set<string> {
  if (machine) return machine;
  machine = new Set<string>();
  try {
    machine.add(os.hostname().toLowerCase().replace(/\.$/, ''));
    for (const list of Object.values(os.networkInterfaces())) {
      for (const info of list ?? []) machine.add(info.family === 'IPv6' ? `[${info.address.toLowerCase().replace(/%.*$/, '')}]` : info.address);
    }
  } catch {
    // No interfaces readable (a sandbox): loopback spellings are still recognised.
  }
  machine.delete('');
  return machine;
}

function whatwgHost(host: string): string | undefined {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    return new URL(`http://${bracketed}/`).hostname;
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^127\.\d+\.\d+\.\d+$/.test(host) || host === '0.0.0.0') return true;
  return host === '[::1]' || host === '[::]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host) || host === '[::ffff:0:0]';
}

/**
 * The canonical host: lower case, no trailing dot, IP addresses in their WHATWG form (IPv6 bracketed), and
 * LOCAL for every spelling of this machine. `host` is as written in a URL or a libpq string, already
 * percent-decoded; an empty host (libpq's default socket) and a path (a socket directory) are LOCAL.
 */
export function canonicalHost(host: string): string {
  const raw = host.trim();
  if (raw === '' || raw.startsWith('/') || raw.startsWith('@')) return LOCAL;
  const lowered = raw.toLowerCase().replace(/\.$/, '');
  const normal = (whatwgHost(lowered) ?? lowered).replace(/\.$/, '');
  if (isLoopback(normal) || machineNames().has(normal)) return LOCAL;
  return normal;
}
