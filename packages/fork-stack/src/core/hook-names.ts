/** The lifecycle hooks ([hooks] in fork-stack.toml), in the order an environment meets them. Free of zod: the CLI's declarations load it on every start. */
export const HOOK_NAMES = ['after_create', 'after_reset', 'before_delete', 'after_switch'] as const;
export type HookName = (typeof HOOK_NAMES)[number];
