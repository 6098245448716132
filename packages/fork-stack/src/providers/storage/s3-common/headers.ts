/**
 * Extra request headers and raw response headers around one SDK command. Services extend the S3 API
 * with headers (Tigris: X-Tigris-Fork-Source-Bucket on CreateBucket, X-Tigris-Enable-Snapshot on
 * HeadBucket's answer); the SDK neither sends nor returns those, so a middleware adds them in the
 * build step (before signing, so they are signed) and reads them after the response arrives.
 */
import type { S3Client } from '@aws-sdk/client-s3';

interface Command {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'build' | 'deserialize'; name?: string }): void;
  };
}

export interface SendOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function sendWithHeaders<Output>(
  client: S3Client,
  command: Command,
  options: SendOptions = {},
): Promise<{ output: Output; headers: Record<string, string> }> {
  let headers: Record<string, string> = {};
  if (options.headers && Object.keys(options.headers).length > 0) {
    const extra = options.headers;
    command.middlewareStack.add(
      (next: (args: { request: { headers: Record<string, string> } }) => Promise<unknown>) =>
        async (args: { request: { headers: Record<string, string> } }) => {
          Object.assign(args.request.headers, extra);
          return next(args);
        },
      { step: 'build', name: 'forkStackExtraHeaders' },
    );
  }
  command.middlewareStack.add(
    (next: (args: unknown) => Promise<{ response?: { headers?: Record<string, string> } }>) => async (args: unknown) => {
      const result = await next(args);
      headers = Object.fromEntries(Object.entries(result.response?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      return result;
    },
    { step: 'deserialize', name: 'forkStackResponseHeaders' },
  );
  const output = (await client.send(command as never, { abortSignal: options.signal })) as Output;
  return { output, headers };
}
