// Child process for the storage benchmarks: `s3rver` (the test harness, seeded with N objects in the
// bucket bench-bucket-dev), or `memory` (the in-memory S3 whose bench-bucket-dev has N synthetic objects).
import { startS3Server } from '../packages/provider-fakes/src/providers/s3/s3rver.ts';
import { startMemoryS3 } from '../packages/provider-fakes/src/providers/s3/memory.ts';

const [kind = 's3rver', count = '10000'] = process.argv.slice(2);
const n = Number(count);
const key = (i: number) => `assets/${String(i % 100).padStart(2, '0')}/object-${String(i).padStart(7, '0')}.json`;
if (kind === 's3rver') {
  const server = await startS3Server();
  await server.client().send(new (await import('@aws-sdk/client-s3')).CreateBucketCommand({ Bucket: 'bench-bucket-dev' }));
  await server.seedFiles('bench-bucket-dev', (function* () {
    for (let i = 0; i < n; i++) yield { key: key(i), body: `{"i":${i}}`, contentType: 'application/json' };
  })());
  server.requests.length = 0;
  // The request log would grow with every copy: keep only counts.
  server.onRequest = () => {
    server.requests.length = 0;
  };
  console.log(JSON.stringify({ endpoint: server.endpoint, env: server.env }));
  process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
} else {
  const s3 = await startMemoryS3();
  s3.log = false;
  s3.createBucket('bench-bucket-dev', { synthetic: { count: n, keyOf: key } });
  // A target that acknowledges and counts copies without storing them (the memory benchmark).
  s3.createBucket('bench-bucket-sink', { synthetic: { count: 0, keyOf: key } });
  console.log(JSON.stringify({ endpoint: s3.endpoint, env: s3.env }));
  process.on('SIGTERM', () => s3.close().then(() => process.exit(0)));
}
