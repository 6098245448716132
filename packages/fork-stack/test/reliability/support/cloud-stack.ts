/**
 * A cloud mix for the crash suite: a Neon branch (Neon fake), an S3 bucket (s3rver) and an AWS Secrets
 * Manager secret (AWS fake) per environment, all forked from the root `prod`, with latency on the fakes
 * so that requests overlap the way they do against the real services. Counts every request that reaches
 * any of the three, for kill points placed by request number.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteBucketCommand, GetBucketTaggingCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { startFake } from '@fork-stack/provider-fakes';
import { tempDir } from '../../helpers/cli.js';
import { createBucket, listing } from '../../helpers/s3-objects.js';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3Server, type S3Server } from '@fork-stack/provider-fakes/s3';
import type { CrashStack } from './crash.js';
import { localLeftovers } from './local-stack.js';

type NeonFake = Awaited<ReturnType<typeof startFake<'neon'>>>;
type AwsFake = Awaited<ReturnType<typeof startFake<'aws-secrets'>>>;

export const NEON_PROJECT = 'fake-project-myapp';
export const PARENT_SECRETS = { API_TOKEN: 'tok-prod-7', STRIPE_KEY: 'sk_test_prod', SIGNING_KEY: 'line1\nline2 "q" $x' };

export interface CloudStack extends CrashStack {
  neon: NeonFake;
  aws: AwsFake;
  s3: S3Server;
  close(): Promise<void>;
}

export async function cloudStack(options: { latencyMs: number; objects: number; env?: string }): Promise<CloudStack> {
  const env = options.env ?? 'alice';
  const neon = await startFake('neon', { latencyMs: options.latencyMs, async: { polls: 2 } });
  // s3rver and the AWS fake share the process's AWS credentials: the fake accepts s3rver's.
  const aws = await startFake('aws-secrets', {
    latencyMs: options.latencyMs,
    scenario: { secrets: [{ name: 'myapp/prod', value: JSON.stringify(PARENT_SECRETS) }] },
    credentials: { AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_KEY },
  });
  const s3 = await startS3Server();
  const client: S3Client = s3.client();
  await createBucket(client, 'myapp-bucket-prod');
  await s3.seedFiles(
    'myapp-bucket-prod',
    Array.from({ length: options.objects }, (_, i) => ({ key: `uploads/${i % 7}/file-${i}.txt`, body: `object ${i} `.repeat(1 + (i % 50)) }))
  );

  let requests = 0;
  let hook: (() => void) | undefined;
  const seen = () => {
    requests++;
    hook?.();
  };
  // A rule that never fails anything: its predicate is a tap on every request the fake accepts.
  for (const fake of [neon, aws]) fake.failNth({ where: () => (seen(), false), fault: '500' });
  s3.onRequest = () => seen();

  const project = tempDir('fork-stack-crash-cloud-');
  const dir = path.join(project.dir, 'myapp');
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'fork-stack.toml'),
    [
      'project = "myapp"',
      'default_parent = "prod"',
      'roots = ["prod"]',
      'protected = ["prod"]',
      '',
      '[database]',
      'provider = "neon"',
      `project_id = "${NEON_PROJECT}"`,
      '',
      '[storage.uploads]',
      'provider = "s3"',
      '',
      '[secrets]',
      'provider = "aws-secrets"',
      'force_delete = true',
      '',
    ].join('\n')
  );

  const branch = (name: string) => [...neon.state.branches.values()].find((b) => b.name === name);
  const secret = (name: string) => aws.state.secrets.get(name);
  const currentValue = (name: string) => secret(name)?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.value;
  const buckets = async () => ((await client.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name as string);

  const stack: CloudStack = {
    dir,
    env,
    neon,
    aws,
    s3,
    cliEnv: {
      ...neon.env,
      ...aws.env,
      ...s3.env,
      FORK_STACK_RETRY_BASE_MS: '5',
      FORK_STACK_POLL_INTERVAL_MS: '5',
    },
    onNthRequest(n, kill) {
      let count = 0;
      hook = () => {
        count++;
        if (count === n) kill();
      };
      return () => {
        hook = undefined;
      };
    },
    mark() {
      requests = 0;
    },
    requestsSince: () => requests,
    async leftovers() {
      const found = localLeftovers(dir, env).map((f) => `disk: ${f}`);
      const b = branch(env);
      if (b) found.push(`neon: branch ${b.name} (${b.id})`);
      const liveBranches = new Set(neon.state.branches.keys());
      for (const e of neon.state.endpoints.values()) if (!liveBranches.has(e.branch_id)) found.push(`neon: endpoint ${e.id} of a deleted branch`);
      const s = secret(`myapp/${env}`);
      if (s && s.deletedDate === undefined) found.push(`aws-secrets: secret ${s.name}`);
      for (const name of await buckets()) if (name.includes(env)) found.push(`s3: bucket ${name}`);
      return found;
    },
    async parentChecksum() {
      const main = branch('main');
      return JSON.stringify({
        branch: main && { id: main.id, name: main.name, default: main.default, protected: main.protected, parent: main.parent_id ?? null },
        roles: neon.state.roles.filter((r) => r.branch_id === main?.id).map((r) => [r.name, r.password]),
        databases: neon.state.databases.filter((d) => d.branch_id === main?.id).map((d) => [d.name, d.owner_name]),
        endpoints: [...neon.state.endpoints.values()].filter((e) => e.branch_id === main?.id).map((e) => [e.id, e.type]),
        secret: secret('myapp/prod')?.versions.map((v) => [v.id, v.value, v.stages.join(',')]),
        tags: secret('myapp/prod')?.tags,
        bucket: [...(await listing(client, 'myapp-bucket-prod'))].sort(),
      });
    },
    async childDiffers() {
      const main = branch('main');
      const child = branch(env);
      if (!child) return `no branch ${env}`;
      if (child.parent_id !== main?.id) return `branch ${env} has parent ${child.parent_id}, not main`;
      const childValue = currentValue(`myapp/${env}`);
      if (childValue === undefined) return `secret myapp/${env} has no current value`;
      if (JSON.stringify(JSON.parse(childValue)) !== JSON.stringify(PARENT_SECRETS))
        return `secret myapp/${env} holds ${Object.keys(JSON.parse(childValue) as object).join(', ')}`;
      const [parentObjects, childObjects] = await Promise.all([
        listing(client, 'myapp-bucket-prod'),
        listing(client, `myapp-bucket-${env}`).catch(() => new Map()),
      ]);
      if (JSON.stringify([...parentObjects].sort()) !== JSON.stringify([...childObjects].sort()))
        return `bucket myapp-bucket-${env} holds ${childObjects.size} of ${parentObjects.size} objects`;
      return undefined;
    },
    async phase() {
      const parts: string[] = [];
      const b = branch(env);
      if (b) parts.push(`branch:${b.progress.done ? 'ready' : 'init'}`);
      const s = secret(`myapp/${env}`);
      if (s) parts.push(s.deletedDate === undefined ? 'secret' : 'secret:deleted');
      if ((await buckets()).includes(`myapp-bucket-${env}`)) {
        const n = (await listing(client, `myapp-bucket-${env}`)).size;
        parts.push(n === options.objects ? 'bucket:full' : n === 0 ? 'bucket:empty' : 'bucket:partial');
      }
      const disk = localLeftovers(dir, env);
      if (disk.some((f) => f.endsWith('.lock'))) parts.unshift('lock');
      if (disk.some((f) => f.includes('meta/'))) parts.unshift('journal');
      return parts.length === 0 ? 'nothing yet' : parts.join('+');
    },
    async repairKnownBug(output) {
      // neon-delete-while-branch-initialising: what a user would do — wait until Neon has finished the
      // branch's operations (in the fake, reading their status is what moves them on), then run delete again.
      if (/neon: delete branch .* HTTP 423/.test(output)) {
        const b = branch(env);
        const running = [...neon.state.operations.values()].filter((op) => op.branch_id === b?.id && !op.progress.done);
        if (running.length === 0) return undefined;
        for (const op of running) while (!op.progress.poll());
        return 'neon-delete-while-branch-initialising';
      }
      // s3-bucket-created-before-marked (support/crash.ts KNOWN_BUGS): what a user would do by hand —
      // delete the empty, untagged bucket the killed create made.
      const bucket = `myapp-bucket-${env}`;
      if (!new RegExp(`bucket ${bucket} (already exists and )?was not created by fork-stack`).test(output)) return undefined;
      const tags = await client.send(new GetBucketTaggingCommand({ Bucket: bucket })).then(
        (t) => t.TagSet ?? [],
        () => []
      );
      const objects = await listing(client, bucket);
      if (tags.length > 0 || objects.size > 0) return undefined;
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      return 's3-bucket-created-before-marked';
    },
    async close() {
      project.cleanup();
      await Promise.all([neon.close(), aws.close(), s3.close()]);
    },
  };
  return stack;
}
