import type { IncomingHttpHeaders } from 'node:http';

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(String(headers.authorization ?? ''));
  return match?.[1];
}

/** `user:password` of `Authorization: Basic <base64>`, or undefined. */
export function basicCredentials(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(String(headers.authorization ?? ''));
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded : undefined;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
