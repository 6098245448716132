/**
 * For providers whose only proof of ownership is the answer to the request that created a resource
 * (no label or tag to write on it: Upstash Redis, Redis Cloud, QStash; docs/architecture.md, "Ownership"):
 * a Ctrl-C that cancelled that request after the service acted on it would lose the proof, and the
 * rollback could then not delete what this run made. So that one request (and, for Redis Cloud, its
 * task) runs to its answer under its own timeouts, the answer is recorded, and the fork stops right after
 * (`ctx.signal.throwIfAborted()`). A second Ctrl-C still exits at once.
 */
export function untilRecorded<C extends { readonly signal: AbortSignal }>(ctx: C): C {
  return { ...ctx, signal: new AbortController().signal };
}
