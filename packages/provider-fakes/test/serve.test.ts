import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const serveJs = fileURLToPath(new URL('../dist/serve.js', import.meta.url));
let child: ChildProcessWithoutNullStreams | undefined;

beforeAll(() => {
  // `npm test` builds first; a lone `vitest run` of this file builds the package itself.
  if (!existsSync(serveJs)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: packageDir, stdio: 'inherit' });
});

afterEach(() => {
  child?.kill('SIGTERM');
  child = undefined;
});

/** Start serve.js and collect its KEY=value lines until it reports ready. */
async function serve(args: string[]): Promise<{ env: Record<string, string>; exit: Promise<{ code: number | null; stderr: string }> }> {
  child = spawn(process.execPath, [serveJs, ...args]);
  let stderr = '';
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child!.on('exit', (code) => resolve({ code, stderr })));
  const env: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    child!.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('fakes ready')) resolve();
    });
    child!.on('exit', (code) => reject(new Error(`serve.js exited with ${code}: ${stderr}`)));
    createInterface({ input: child!.stdout }).on('line', (line) => {
      const at = line.indexOf('=');
      env[line.slice(0, at)] = line.slice(at + 1);
    });
  });
  return { env, exit };
}

describe('standalone server (dist/serve.js)', () => {
  it('prints the env, serves the default scenario, reports violations on SIGTERM', async () => {
    const { env, exit } = await serve(['neon', '--page-size', '1']);
    expect(Object.keys(env).sort()).toEqual(['FORK_STACK_NEON_API_URL', 'NEON_API_KEY']);
    const headers = { authorization: `Bearer ${env.NEON_API_KEY}` };
    const listed = await fetch(`${env.FORK_STACK_NEON_API_URL}/projects/fake-project-myapp/branches`, { headers });
    expect((await listed.json() as { branches: { name: string }[] }).branches.map((b) => b.name)).toEqual(['main']);
    await fetch(`${env.FORK_STACK_NEON_API_URL}/projects/fake-project-myapp/branchez`, { headers });
    const inspect = await fetch(`${new URL(env.FORK_STACK_NEON_API_URL!).origin}/__fake/inspect`);
    expect((await inspect.json() as { violations: unknown[] }).violations).toHaveLength(1);
    child!.kill('SIGTERM');
    const { code, stderr } = await exit;
    expect(code).toBe(0);
    expect(stderr).toContain('branchez is not an operation of the Neon API v2');
  });

  it('starts several fakes at once with one env, and a JSON scenario per fake', async () => {
    const scenario = join(mkdtempSync(join(tmpdir(), 'fakes-')), 'scenario.json');
    writeFileSync(scenario, JSON.stringify({ vault: { scenario: { secrets: [{ path: 'shop/dev', data: { A: '1' } }] } } }));
    const { env } = await serve(['vault', 'aws-secrets', '--scenario', scenario]);
    expect(Object.keys(env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'VAULT_ADDR', 'VAULT_TOKEN']);
    const read = await fetch(`${env.VAULT_ADDR}/v1/secret/data/shop/dev`, { headers: { 'x-vault-token': env.VAULT_TOKEN! } });
    expect(((await read.json()) as { data: { data: unknown } }).data.data).toEqual({ A: '1' });
  });

  it('exits 2 with a clear message for an unknown fake', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const run = spawn(process.execPath, [serveJs, 'nope']);
      let stderr = '';
      run.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      run.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown fake "nope"');
  });
});
