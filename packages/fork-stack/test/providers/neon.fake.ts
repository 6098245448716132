/**
 * The Neon fake (packages/provider-fakes) with some of its handlers replaced for one test — e.g. an
 * operation that fails, which the documented happy path never does. The replacement receives the
 * fake's own handler, so spec checks and state stay the fake's.
 */
import { FakeServer, startFake, type FakeOptions } from '@fork-stack/provider-fakes';

type Reply = { status?: number; body?: unknown };
type Handler = (ctx: { body: unknown; params: Record<string, string>; now(): string }) => Reply | Promise<Reply>;

export type NeonFake = Awaited<ReturnType<typeof startFake<'neon'>>>;

/** Replacements by route ("POST /projects/{project_id}/branches"); each receives the original. */
export type Patch = Record<string, (original: Handler, ctx: Parameters<Handler>[0]) => Reply | Promise<Reply>>;

/** Branch annotations as the fake stores them (Neon's annotation_value), by branch id. */
export function annotationsOf(fake: NeonFake): Map<string, Record<string, string> | undefined> {
  const branches = (fake.state as unknown as { branches: Map<string, { id: string; annotation?: Record<string, string> }> }).branches;
  return new Map([...branches.values()].map((b) => [b.id, b.annotation]));
}

export async function startNeonFake(options: FakeOptions = {}, patch: Patch = {}): Promise<NeonFake> {
  if (Object.keys(patch).length === 0) return startFake('neon', options);
  // The fake's definition, taken from a throwaway instance (the package exports no definitions).
  const probe = await startFake('neon', { ...options, scenario: 'empty' });
  const definition = probe.provider;
  await probe.close();
  const handlers = { ...(definition.handlers as unknown as Record<string, Handler>) };
  for (const [key, replace] of Object.entries(patch)) {
    const original = handlers[key]!;
    handlers[key] = (ctx) => replace(original, ctx);
  }
  const fake = new FakeServer({ ...definition, handlers: handlers as unknown as typeof definition.handlers }, options) as unknown as NeonFake;
  await fake.listen();
  return fake;
}
