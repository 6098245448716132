// Forking a bucket of N small objects (default 10,000) through a TCP proxy that adds a 20 ms round trip
// (10 ms each way), in the same run:
//   - fork-stack's copy engine (s3-common/copy.ts: streaming listing, CopyObject × concurrency 64);
//   - the original forkstack's way: list, then CopyObject one object at a time.
// Both use the same SDK client settings and copy into a fresh bucket. Two servers, each in its own
// process: s3rver (a real S3-compatible server, bound by its own CPU cost per copy) and the in-memory S3
// of the tests (nearly free per copy, so the client and the round trip dominate, as with a cloud service).
//   npm run build -w fork-stack && node bench/storage-copy.bench.mjs [--record]
// FORK_STACK_BENCH_OBJECTS (default 10000), FORK_STACK_BENCH_RTT_MS (default 20), FORK_STACK_BENCH_SERVERS (default "s3rver"; "memory,s3rver" adds the in-memory S3).
import { machine, table } from './lib.mjs';
import { delayProxy, load, startServerProcess, recordSection } from './storage-lib.mjs';

const N = Number(process.env.FORK_STACK_BENCH_OBJECTS ?? 10_000);
const RTT = Number(process.env.FORK_STACK_BENCH_RTT_MS ?? 20);
const servers = (process.env.FORK_STACK_BENCH_SERVERS ?? 's3rver').split(',');
const { copyObjects } = await load('packages/fork-stack/src/providers/storage/s3-common/copy.ts');
const { createClient } = await load('packages/fork-stack/src/providers/storage/s3-common/client.ts');
const { CreateBucketCommand, CopyObjectCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
const { copySource } = await load('packages/fork-stack/src/providers/storage/s3-common/keys.ts');

async function sequential(client, target) {
  // The original forkstack: list everything, then copy each object and wait for it.
  let token;
  let copied = 0;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: 'bench-bucket-dev', ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      await client.send(new CopyObjectCommand({ Bucket: target, Key: o.Key, CopySource: copySource('bench-bucket-dev', o.Key) }));
      copied++;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return copied;
}

async function concurrent(client, target, concurrency) {
  const result = await copyObjects({
    client,
    source: { bucket: 'bench-bucket-dev', prefix: '' },
    target: { bucket: target, prefix: '' },
    concurrency,
    multipartThreshold: 5 * 2 ** 30,
    partSize: 256 * 2 ** 20,
    copyTags: true,
    pinSourceVersion: true,
    resume: false,
    signal: new AbortController().signal,
  });
  return result.copied;
}

const rows = [];
for (const kind of servers) {
  const server = await startServerProcess(kind, [String(N)]);
  const proxy = await delayProxy(Number(new URL(server.endpoint).port), RTT / 2);
  const endpoint = `http://127.0.0.1:${proxy.port}`;
  const credentials = { accessKeyId: server.env.AWS_ACCESS_KEY_ID, secretAccessKey: server.env.AWS_SECRET_ACCESS_KEY };
  const client = createClient({ provider: 's3', endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxSockets: 80 });
  const timed = async (label, target, run) => {
    await client.send(new CreateBucketCommand({ Bucket: target }));
    const start = performance.now();
    const copied = await run(target);
    const seconds = (performance.now() - start) / 1000;
    if (copied !== N) throw new Error(`${label}: copied ${copied} of ${N}`);
    console.error(`${kind}: ${label}: ${seconds.toFixed(1)} s`);
    return seconds;
  };
  const fast = await timed('concurrent', 'bench-bucket-fast', (t) => concurrent(client, t, 64));
  const slow = await timed('sequential', 'bench-bucket-slow', (t) => sequential(client, t));
  rows.push([kind, N.toLocaleString('en'), `${RTT} ms`, `${slow.toFixed(1)} s (${Math.round(N / slow)}/s)`, `${fast.toFixed(1)} s (${Math.round(N / fast)}/s)`, `**${(slow / fast).toFixed(1)}×**`]);
  client.destroy();
  await proxy.close();
  server.stop();
}

const out = [
  `Fork of ${N.toLocaleString('en')} small objects, ${RTT} ms round trip added by a TCP proxy, one run each, ${machine()}.`,
  '',
  table(['server', 'objects', 'added RTT', 'sequential (original forkstack)', 'fork-stack (concurrency 64)', 'speed-up'], rows),
].join('\n');
console.log(out);
if (process.argv.includes('--record')) recordSection('copy', out);
