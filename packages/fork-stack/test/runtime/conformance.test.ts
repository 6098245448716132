/**
 * The TypeScript reader (fork-stack/runtime) against every conformance vector in conformance/v1/.
 * The same JSON files run through the Python, Go and Rust readers' own test runners.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDotenv, parseDotenv } from '../../src/core/files/dotenv.js';
import { CONTRACT_VERSION, EnvConfig, ForkStackRuntimeError } from '../../src/runtime/index.js';
import { roundtripCases, ROUNDTRIP_VALUES } from './dotenv-roundtrip.js';
import {
  armFakeCli,
  conformanceDir,
  fakeCliCall,
  isRoot,
  loadVectors,
  materialise,
  substituteExpected,
  type Expectation,
  type Workspace,
} from './vectors.js';

async function call(reader: EnvConfig, e: Expectation): Promise<unknown> {
  const args = e.args ?? [];
  const arg = (i: number) => args[i] as string;
  switch (e.call) {
    case 'current_env':
      return reader.getCurrentEnv();
    case 'project_name':
      return reader.getProjectName();
    case 'database_url':
      return reader.getDatabaseUrl();
    case 'database_auth_token':
      return reader.getDatabaseAuthToken() ?? null;
    case 'local_db_path':
      return reader.getLocalDbPath();
    case 'bucket_name':
      return reader.getBucketName(args.length > 0 ? arg(0) : undefined);
    case 's3_key':
      return reader.getS3Key(arg(0), arg(1));
    case 'secret':
      return reader.getSecret(arg(0));
    case 'lookup_secret':
      return reader.lookupSecret(arg(0)) ?? null;
    case 'all_secrets':
      return reader.getAllSecrets();
    case 'set_secret':
      return reader.setSecret(arg(0), arg(1)).then(() => null);
    case 'cache_url':
      return reader.getCacheUrl();
    case 'cache_key_prefix':
      return reader.getCacheKeyPrefix();
    case 'queue_url':
      return reader.getQueueUrl();
    case 'queue_prefix':
      return reader.getQueuePrefix();
    case 'contract_version':
      return reader.contractVersion;
    default:
      throw new Error(`unknown call ${e.call} in the vectors: add it to this runner`);
  }
}

const vectors = loadVectors();
let workspace: Workspace | undefined;
afterEach(() => {
  workspace?.cleanup();
  workspace = undefined;
});

it('the vectors are contract version 1 and there are enough of them', () => {
  expect(readFileSync(path.join(conformanceDir(), 'v1', 'VERSION'), 'utf8').trim()).toBe(CONTRACT_VERSION);
  for (const file of vectors) expect(file.contract, file.file).toBe(CONTRACT_VERSION);
  const names = vectors.flatMap((f) => f.cases.map((c) => c.name));
  expect(new Set(names).size).toBe(names.length);
  expect(names.length).toBeGreaterThanOrEqual(60);
});

for (const file of vectors) {
  describe(file.file, () => {
    for (const vector of file.cases) {
      const skip = vector.requires_non_root !== undefined && isRoot();
      it.skipIf(skip)(vector.name, async () => {
        workspace = materialise(vector);
        const ws = workspace;
        const reader = new EnvConfig({ cwd: ws.cwd, env: ws.env });
        for (const e of vector.expect) {
          const where = `${vector.name}: ${e.call}(${(e.args ?? []).map((a) => JSON.stringify(a)).join(', ')})`;
          if (e.call === 'set_secret') armFakeCli(ws, e.cli);
          let result: unknown;
          let error: unknown;
          try {
            result = await call(reader, e);
          } catch (caught) {
            error = caught;
          }
          if (e.error !== undefined) {
            expect(error, `${where} should fail with ${e.error}`).toBeInstanceOf(ForkStackRuntimeError);
            const runtimeError = error as ForkStackRuntimeError;
            expect(runtimeError.code, `${where}: ${runtimeError.message}`).toBe(e.error);
            for (const part of e.message_contains ?? []) expect(runtimeError.message, where).toContain(ws.sub(part));
          } else {
            if (error) throw error;
            if ('value' in e) expect(result, where).toEqual(substituteExpected(e.value, ws.sub));
          }
          if (e.cli_called !== undefined) {
            expect(fakeCliCall(ws), where).toEqual(e.cli_called === null ? null : substituteExpected(e.cli_called, ws.sub));
          }
        }
      });
    }
  });
}

describe('dotenv-roundtrip.json', () => {
  it('still matches what formatDotenv writes, and parseDotenv reads it back', () => {
    const committed = vectors.find((f) => f.file === 'dotenv-roundtrip.json');
    expect(committed, 'regenerate: npx tsx packages/fork-stack/test/runtime/dotenv-roundtrip.ts').toBeDefined();
    expect(committed?.cases).toEqual(roundtripCases());
    for (const value of Object.values(ROUNDTRIP_VALUES)) expect(parseDotenv(formatDotenv({ VALUE: value })).VALUE).toBe(value);
  });
});
