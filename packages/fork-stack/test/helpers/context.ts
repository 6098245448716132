/** A ProviderContext for testing one provider directly, with options parsed by its real schema. */
import type { z } from 'zod';
import type { Kind, ProgressUpdate, ProviderContext } from '../../src/providers/types.js';

export interface TestContextOptions {
  kind: Kind;
  slot?: string;
  project?: string;
  root: string;
  schema: z.ZodType;
  options?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  bucket?: { name: string; isDefault: boolean };
  roots?: string[];
  signal?: AbortSignal;
}

export function testContext<O>(o: TestContextOptions): ProviderContext<O> & { progressLog: ProgressUpdate[]; warnings: string[] } {
  const progressLog: ProgressUpdate[] = [];
  const warnings: string[] = [];
  return {
    project: o.project ?? 'app',
    slot: o.slot ?? o.kind,
    kind: o.kind,
    bucket: o.bucket,
    options: o.schema.parse(o.options ?? {}) as O,
    root: o.root,
    stateDir: `${o.root}/.fork-stack`,
    env: o.env ?? {},
    roots: o.roots ?? ['dev'],
    protectedEnvs: ['prod', 'dev'],
    signal: o.signal ?? new AbortController().signal,
    progress: (u) => progressLog.push(u),
    warn: (m) => warnings.push(m),
    now: () => new Date(),
    progressLog,
    warnings,
  };
}
