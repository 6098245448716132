// Tigris forks are copy-on-write: the provider sends the same requests whatever the parent holds.
// Forks a parent of 10 and of 10,000 objects (and 100,000) through the tigris provider against the
// Tigris fake (packages/provider-fakes/src/providers/tigris.ts), counting the requests by operation and timing the fork.
//   node bench/storage-tigris.bench.mjs [--record]
import { machine, median, table } from './lib.mjs';
import { load, recordSection } from './storage-lib.mjs';

const { provider } = await load('packages/fork-stack/src/providers/storage/tigris.ts');
const { schema } = await load('packages/fork-stack/src/providers/storage/tigris.schema.ts');
const { startTigrisFake } = await load('packages/provider-fakes/src/providers/tigris.ts');
const { testContext } = await load('packages/fork-stack/test/helpers/context.ts');

const fake = await startTigrisFake();
const rows = [];
for (const n of [10, 10_000, 100_000]) {
  const times = [];
  let ops;
  for (let round = 0; round < 5; round++) {
    const ctx = testContext({ kind: 'storage', slot: 'storage.uploads', project: `b${n}r${round}`, root: '/tmp', schema, env: fake.env, bucket: { name: 'uploads', isDefault: true } });
    const parent = fake.createBucket(provider.resourceName(ctx, 'dev'), { snapshots: true });
    for (let i = 0; i < n; i++) parent.objects.set(`k/${i}`, { body: Buffer.from(String(i)), etag: `"${i}"`, lastModified: new Date(), contentType: 'text/plain' });
    fake.resetLog();
    const start = performance.now();
    await provider.fork(ctx, { env: 'alice', parent: 'dev' });
    times.push(performance.now() - start);
    ops = fake.requests.map((r) => r.op);
    if (fake.buckets.get(provider.resourceName(ctx, 'alice')).objects.size !== n) throw new Error('fork incomplete');
  }
  rows.push([n.toLocaleString('en'), String(ops.length), ops.join(', '), `${median(times).toFixed(1)} ms`]);
}
await fake.close();
const out = [
  `Tigris fork (provider → Tigris fake on loopback), median of 5, ${machine()}. The fake copies its object index in memory on fork; the provider's work is the requests.`,
  '',
  table(['objects in parent', 'requests', 'operations', 'fork time'], rows),
].join('\n');
console.log(out);
if (process.argv.includes('--record')) recordSection('tigris', out);
