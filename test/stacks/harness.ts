/**
 * What the stack and example tests share: the stack index, copying a stack into a throwaway project
 * (exactly what a user does), running commands asynchronously (the fakes run in this process, so a
 * synchronous spawn would block them), and the cloud backends a stack names — the provider fakes from
 * packages/provider-fakes, the Tigris fake, and s3rver for S3 and R2 — with the roots every stack's
 * fork-stack.toml adopts already there.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFake, type Fake, type FakeName } from '@fork-stack/provider-fakes';
import { S3RVER_ACCESS_KEY, S3RVER_SECRET_KEY, startS3Server, startTigrisFake, type S3Server, type TigrisFake } from '@fork-stack/provider-fakes/s3';
import { createBucket, seed } from '../../packages/fork-stack/test/helpers/s3-objects.js';
import { REPO, toolEnv } from '../readers/toolchain.js';

export { REPO };
export const STACKS = path.join(REPO, 'stacks');
export const EXAMPLES = path.join(REPO, 'examples');
export const CLI = path.join(REPO, 'packages', 'fork-stack', 'dist', 'cli.js');
/** How the stacks' Makefiles and integration tests run the CLI here: the built one, no npx. */
export const FORK_STACK_CLI = `${process.execPath} ${CLI}`;

export interface StackEntry {
  name: string;
  language: 'python' | 'go' | 'rust' | 'typescript';
  database: string;
  storage: string;
  secrets: string | null;
  cache: string | null;
  queue: string | null;
  local: boolean;
  summary: string;
  /** What `make envs-new alice` forks. */
  parent: string;
  /** Environments that exist before the first fork (cloud: the user's resources; local: `make envs-init`). */
  roots: string[];
  credentials: string[];
  placeholders: { key: string; value: string; where: string }[];
  test: string;
  integration: string;
  run: string;
}

export interface ReaderFiles {
  from: string;
  files: string[];
}

export interface StackIndex {
  version: number;
  readers: Record<StackEntry['language'], ReaderFiles>;
  base_files: string[];
  stacks: StackEntry[];
}

export function readIndex(): StackIndex {
  return JSON.parse(readFileSync(path.join(STACKS, 'index.json'), 'utf8')) as StackIndex;
}

/** Build output and per-machine state a copy leaves behind. */
const NOT_COPIED = new Set(['target', 'node_modules', '__pycache__', '.fork-stack', '.current-env', '.env.local', 'Cargo.lock']);

/** Copies a stack or example directory into <tmp>/<name>/, as a user copies it into a project. */
export function copyProject(source: string, name = path.basename(source)): { dir: string; cleanup(): void } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-stack-'));
  const dir = path.join(base, name);
  cpSync(source, dir, { recursive: true, filter: (src) => !NOT_COPIED.has(path.basename(src)) });
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runAsync(command: string, args: string[], options: { cwd: string; env?: Record<string, string>; input?: string; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: toolEnv({ NO_COLOR: '1', ...options.env }), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}\n${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A failed run, for an assertion message. */
export function show(result: RunResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`.slice(-8000);
}

/** The values the stacks' fork-stack.toml use as placeholders, so the fakes answer for them unchanged. */
export const PLACEHOLDERS = {
  project: 'myapp',
  tursoOrganization: 'your-org',
  neonProjectId: 'your-neon-project-id',
  planetscaleOrganization: 'your-org',
  planetscaleDatabase: 'myapp',
  supabaseProjectRef: 'abcdefghijklmnopqrst',
  r2AccountId: '0123456789abcdef0123456789abcdef',
} as const;

type AnyFake = Fake<FakeName>;

/**
 * The cloud side of every stack, started on demand and shared by the stacks of one test file. Each
 * stack's roots (prod and dev, or prod alone) exist as its README tells the user to have them.
 */
export class Backends {
  // Promises, not servers: stacks tested concurrently ask for the same fake at the same time.
  private fakes = new Map<string, Promise<AnyFake>>();
  private started = new Map<string, AnyFake>();
  private tigris?: Promise<TigrisFake>;
  private s3?: Promise<S3Server>;
  private seededBuckets = new Map<string, Promise<void>>();

  async fake<N extends FakeName>(name: N): Promise<Fake<N>> {
    let fake = this.fakes.get(name);
    if (!fake) {
      fake = startFake(name, fakeOptions(name)).then((started) => {
        seedFake(name, started as AnyFake);
        this.started.set(name, started as AnyFake);
        return started as AnyFake;
      });
      this.fakes.set(name, fake);
    }
    return (await fake) as Fake<N>;
  }

  tigrisFake(): Promise<TigrisFake> {
    this.tigris ??= startTigrisFake().then((fake) => {
      for (const env of ['prod', 'dev']) {
        fake.createBucket(`${PLACEHOLDERS.project}-bucket-${env}`, { snapshots: true, objects: { [`seed/${env}.txt`]: `the ${env} bucket` } });
      }
      return fake;
    });
    return this.tigris;
  }

  s3Server(): Promise<S3Server> {
    this.s3 ??= startS3Server();
    return this.s3;
  }

  /** The root buckets of an S3 or R2 stack on s3rver (once per server). */
  private async s3Roots(server: S3Server, roots: string[]): Promise<void> {
    await Promise.all(
      roots.map((env) => {
        const bucket = `${PLACEHOLDERS.project}-bucket-${env}`;
        let seeded = this.seededBuckets.get(bucket);
        if (!seeded) {
          const client = server.client();
          seeded = createBucket(client, bucket).then(() => seed(client, bucket, [{ Key: `seed/${env}.txt`, Body: `the ${env} bucket`, ContentType: 'text/plain' }]));
          this.seededBuckets.set(bucket, seeded);
        }
        return seeded;
      }),
    );
  }

  /** The variables the CLI needs for a stack: base-URL overrides, credentials, endpoints. */
  async envFor(stack: StackEntry): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    const add = (more: Record<string, string>) => Object.assign(env, more);
    const providers = [stack.database, stack.secrets, stack.cache, stack.queue];
    const fakeOf: Record<string, FakeName> = {
      turso: 'turso', neon: 'neon', planetscale: 'planetscale', supabase: 'supabase', doppler: 'doppler', vault: 'vault',
      'aws-secrets': 'aws-secrets', 'upstash-redis': 'upstash-redis', 'upstash-qstash': 'qstash', 'redis-cloud': 'redis-cloud',
    };
    for (const provider of providers) {
      const name = provider ? fakeOf[provider] : undefined;
      if (name) add((await this.fake(name)).env);
    }
    const roots = stack.roots;
    if (stack.storage === 'tigris') add((await this.tigrisFake()).env);
    if (stack.storage === 's3') {
      const server = await this.s3Server();
      await this.s3Roots(server, roots);
      add(server.env);
    }
    if (stack.storage === 'r2') {
      const server = await this.s3Server();
      await this.s3Roots(server, roots);
      // R2_* for the CLI; AWS_* are the app's own keys (an app's S3 client reads the standard variables).
      add({ R2_ACCESS_KEY_ID: S3RVER_ACCESS_KEY, R2_SECRET_ACCESS_KEY: S3RVER_SECRET_KEY, AWS_ENDPOINT_URL_S3: server.endpoint, AWS_EC2_METADATA_DISABLED: 'true' });
      add({ AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_KEY });
    }
    return env;
  }

  /** Every request each fake found outside its provider's spec; a stack test expects none. */
  violations(): { fake: string; violations: unknown[]; forbidden: unknown[] }[] {
    return [...this.started.entries()]
      .map(([fake, f]) => ({ fake, violations: [...f.violations], forbidden: [...f.forbiddenCalls] }))
      .filter((v) => v.violations.length > 0 || v.forbidden.length > 0);
  }

  async close(): Promise<void> {
    for (const fake of this.fakes.values()) await (await fake).close();
    await (await this.tigris)?.close();
    await (await this.s3)?.close();
  }
}

function fakeOptions(name: FakeName): Record<string, unknown> {
  const p = PLACEHOLDERS;
  switch (name) {
    case 'turso':
      return {
        scenario: {
          organization: p.tursoOrganization,
          groups: [{ name: 'default', location: 'aws-us-east-1' }],
          databases: [{ name: p.project, group: 'default' }, { name: `${p.project}-dev`, group: 'default' }],
        },
      };
    case 'neon':
      return { scenario: { projects: [{ id: p.neonProjectId, name: p.project }] } };
    case 'planetscale':
      return { scenario: { organization: p.planetscaleOrganization, databases: [{ name: p.planetscaleDatabase, kind: 'mysql', region: 'aws-us-east-2' }] } };
    case 'supabase':
      return { scenario: { projects: [{ ref: p.supabaseProjectRef, name: p.project, region: 'us-east-1' }] } };
    case 'upstash-redis':
      return { scenario: { databases: [{ name: `${p.project}-prod`, primary_region: 'us-east-1' }, { name: `${p.project}-dev`, primary_region: 'us-east-1' }] } };
    case 'qstash':
      return { scenario: { queues: [{ name: `${p.project}-prod-emails`, parallelism: 1 }, { name: `${p.project}-dev-emails`, parallelism: 1 }] } };
    default:
      // doppler (project myapp: dev, stg, prd), vault (secret/myapp/dev, secret/myapp/prod), aws-secrets.
      return {};
  }
}

/** Roots the scenarios cannot express: Neon's and PlanetScale's dev branches. */
function seedFake(name: FakeName, fake: AnyFake): void {
  if (name === 'neon') (fake as Fake<'neon'>).seed.branch(PLACEHOLDERS.neonProjectId, { name: 'dev' });
  if (name === 'planetscale') (fake as Fake<'planetscale'>).seed.branch(PLACEHOLDERS.planetscaleDatabase, 'dev');
}
