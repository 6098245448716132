/**
 * The Neon fake (packages/provider-fakes) with branch annotations, which its first version does not keep:
 * Neon documents `annotation_value` on POST /projects/{id}/branches and returns the values in the
 * `annotations` map of GET /projects/{id}/branches (keyed by branch id) and as `annotation` on
 * GET /projects/{id}/branches/{branch_id}. The neon provider marks its branches that way.
 *
 * This wraps the fake's own handlers (same spec checks, same state) and only fills in annotations where
 * the fake answered none, so it becomes a no-op once the fake models them itself.
 */
import { FakeServer, startFake, type FakeOptions } from '@fork-stack/provider-fakes';

type Reply = { status?: number; body?: unknown };
type Handler = (ctx: { body: unknown; params: Record<string, string>; now(): string }) => Reply | Promise<Reply>;
type AnnotationValue = Record<string, string>;

export type NeonFake = Awaited<ReturnType<typeof startFake<'neon'>>>;

/** `patch` replaces handlers for one test (e.g. an operation that fails); it receives the original. */
export type Patch = Record<string, (original: Handler, ctx: Parameters<Handler>[0]) => Reply | Promise<Reply>>;

export async function startNeonFake(options: FakeOptions = {}, patch: Patch = {}): Promise<NeonFake & { annotations: Map<string, AnnotationValue> }> {
  // The fake's definition, taken from a throwaway instance (the package exports no definitions).
  const probe = await startFake('neon', { ...options, scenario: 'empty' });
  const definition = probe.provider;
  await probe.close();

  const annotations = new Map<string, AnnotationValue>();
  const handlers = definition.handlers as unknown as Record<string, Handler>;
  const view = (id: string, value: AnnotationValue, now: string) => ({ object: { type: 'console/branch', id }, value, created_at: now, updated_at: now });
  const wrapped: Record<string, Handler> = {
    ...handlers,
    async 'POST /projects/{project_id}/branches'(ctx) {
      const reply = await handlers['POST /projects/{project_id}/branches']!(ctx);
      const value = (ctx.body as { annotation_value?: AnnotationValue } | undefined)?.annotation_value;
      const id = (reply.body as { branch?: { id: string } } | undefined)?.branch?.id;
      if (reply.status === 201 && id && value) annotations.set(id, value);
      return reply;
    },
    async 'GET /projects/{project_id}/branches'(ctx) {
      const reply = await handlers['GET /projects/{project_id}/branches']!(ctx);
      const body = reply.body as { branches: { id: string }[]; annotations?: Record<string, unknown> };
      const map: Record<string, unknown> = { ...body.annotations };
      for (const b of body.branches) {
        const value = annotations.get(b.id);
        if (value && !map[b.id]) map[b.id] = view(b.id, value, ctx.now());
      }
      return { ...reply, body: { ...body, annotations: map } };
    },
    async 'GET /projects/{project_id}/branches/{branch_id}'(ctx) {
      const reply = await handlers['GET /projects/{project_id}/branches/{branch_id}']!(ctx);
      const value = annotations.get(ctx.params.branch_id ?? '');
      const body = reply.body as { annotation?: { value?: AnnotationValue } };
      if (!value || Object.keys(body.annotation?.value ?? {}).length > 0) return reply;
      return { ...reply, body: { ...body, annotation: view(ctx.params.branch_id ?? '', value, ctx.now()) } };
    },
  };
  for (const [key, replace] of Object.entries(patch)) {
    const original = wrapped[key]!;
    wrapped[key] = (ctx) => replace(original, ctx);
  }
  const fake = new FakeServer({ ...definition, handlers: wrapped as unknown as typeof definition.handlers }, options) as unknown as NeonFake;
  await fake.listen();
  return Object.assign(fake, { annotations });
}
