/**
 * templates/base/typescript/envUtils.ts is the app-facing copy of `fork-stack/runtime`: it resolves the
 * package the way an app does (through package.json exports, the built dist/) and re-exports all of it.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TEMPLATES } from './toolchain.js';

describe('TypeScript template (templates/base/typescript)', () => {
  it('re-exports the runtime reader, EnvConfig included, as the package resolves it', async () => {
    const envUtils = (await import(pathToFileURL(path.join(TEMPLATES, 'typescript', 'envUtils.ts')).href)) as Record<string, unknown>;
    const runtime = (await import('fork-stack/runtime' as string)) as Record<string, unknown>;
    const functions = Object.keys(runtime).filter((k) => typeof runtime[k] === 'function');
    expect(functions).toEqual(expect.arrayContaining(['EnvConfig', 'getCurrentEnv', 'getDatabaseUrl', 'getBucketName', 'getSecret', 'setSecret', 'getCacheUrl', 'getQueueUrl']));
    for (const name of functions) expect(envUtils[name], name).toBe(runtime[name]);
    expect(envUtils.CONTRACT_VERSION).toBe('1');
  });
});
