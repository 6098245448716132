// Peak memory of the fork-stack process while forking 10,000 and 100,000 objects: the copy engine
// streams the listing (one page in hand, one prefetched) and keeps at most `concurrency` copies in
// flight, so memory must not grow with the bucket. The server is the in-memory S3 of the tests in its
// own process, with a synthetic parent bucket (listings generated on the fly, copies acknowledged and
// counted): s3rver would take many minutes to copy 100,000 objects and measures nothing more here.
// Memory is sampled every 20 ms (process.memoryUsage) in this process only; GC is forced before each run.
//   node --expose-gc bench/storage-memory.bench.mjs [--record]
import { machine, table } from './lib.mjs';
import { load, mib, startServerProcess, recordSection } from './storage-lib.mjs';

const { copyObjects } = await load('packages/fork-stack/src/providers/storage/s3-common/copy.ts');
const { createClient } = await load('packages/fork-stack/src/providers/storage/s3-common/client.ts');
const sizes = (process.env.FORK_STACK_BENCH_SIZES ?? '10000,100000').split(',').map(Number);

const rows = [];
for (const n of sizes) {
  const server = await startServerProcess('memory', [String(n)]);
  const credentials = { accessKeyId: server.env.AWS_ACCESS_KEY_ID, secretAccessKey: server.env.AWS_SECRET_ACCESS_KEY };
  const client = createClient({ provider: 's3', endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxSockets: 80 });
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const start = performance.now();
  const result = await copyObjects({
    client,
    source: { bucket: 'bench-bucket-dev', prefix: '' },
    target: { bucket: 'bench-bucket-sink', prefix: '' },
    concurrency: 64,
    multipartThreshold: 5 * 2 ** 30,
    partSize: 256 * 2 ** 20,
    copyTags: true,
    pinSourceVersion: true,
    resume: false,
    signal: new AbortController().signal,
  });
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  if (result.copied !== n) throw new Error(`copied ${result.copied} of ${n}`);
  rows.push([n.toLocaleString('en'), `${seconds.toFixed(1)} s`, mib(base.rss), mib(peakRss), mib(peakRss - base.rss), mib(base.heapUsed), mib(peakHeap)]);
  console.error(`${n}: ${seconds.toFixed(1)} s, peak RSS ${mib(peakRss)}, peak heap ${mib(peakHeap)}`);
  client.destroy();
  server.stop();
}

const out = [
  `Peak memory of the forking process, concurrency 64, ${machine()}${globalThis.gc ? '' : ' (run without --expose-gc: baselines include garbage)'}.`,
  '',
  table(['objects', 'time', 'RSS before', 'peak RSS', 'RSS growth', 'heap before', 'peak heap'], rows),
].join('\n');
console.log(out);
if (process.argv.includes('--record')) recordSection('memory', out);
