/**
 * For tests against the OpenAPI fakes of @fork-stack/provider-fakes: the fake saw only requests its spec
 * allows and gave only answers its spec allows, then it is stopped; and the provider contract's setup.
 */
import { expect } from 'vitest';
import type { ProviderContext } from '../../src/providers/types.js';
import type { ContractSetup } from './provider-contract.js';

interface InspectedFake {
  violations: unknown[];
  forbiddenCalls: unknown[];
  responseProblems: string[];
  fingerprint(name: string): string;
  close(): Promise<void>;
}

/** `forbidden`: also no call a client must never make (Supabase's project-wide branch delete). */
export async function closeClean(fake: InspectedFake, options: { forbidden?: boolean } = {}): Promise<void> {
  expect(fake.violations).toEqual([]);
  if (options.forbidden) expect(fake.forbiddenCalls).toEqual([]);
  expect(fake.responseProblems).toEqual([]);
  await fake.close();
}

/**
 * The contract's setup: `parent` is the fake's resource `resource`. The fakes hold no data (no data
 * plane), so unless the test gives a fingerprint of its own, the fingerprint is the parent's whole record
 * (fake.fingerprint), which no fork or remove of a child may change.
 */
export function fakeContractSetup<O>(
  fake: InspectedFake,
  ctx: ProviderContext<O>,
  options: { parent: string; resource?: string; fingerprint?: (env: string) => Promise<string>; forbidden?: boolean },
): ContractSetup {
  const resource = options.resource ?? options.parent;
  return {
    ctx: ctx as unknown as ProviderContext<unknown>,
    parent: options.parent,
    fingerprint: options.fingerprint ?? (async () => fake.fingerprint(resource)),
    cleanup: () => closeClean(fake, { forbidden: options.forbidden ?? false }),
  };
}
