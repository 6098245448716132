/**
 * x-amz-copy-source must be URL-encoded (AWS CopyObject docs); the SDK sends it as given. Each path
 * segment is percent-encoded on its own so "/" stays a separator while spaces, "+", "%", "?", "#" and
 * non-ASCII characters reach the server as the exact key.
 */
export function copySource(bucket: string, key: string): string {
  return `${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
