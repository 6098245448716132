import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_PATH = '{project}/{env}';
const PATH_CHARS = /^[A-Za-z0-9_.@+=-]+(\/[A-Za-z0-9_.@+=-]+)*$/;
const withoutPlaceholders = (pattern: string) => pattern.replace(/\{[a-z_]+\}/g, 'x');

export const schema = z.strictObject({
  mount: z
    .string()
    .regex(PATH_CHARS, 'is the KV v2 mount path without slashes at the ends, e.g. "secret" or "kv/team"')
    .default('secret')
    .meta({ description: 'Where the KV version 2 secrets engine is mounted.' }),
  path: namePattern(DEFAULT_PATH)
    .refine((p) => PATH_CHARS.test(withoutPlaceholders(p)), { message: 'is a path such as "{project}/{env}": letters, digits, _ . @ + = - and "/" between segments' })
    .refine((p) => p.split('/').slice(0, -1).every((segment) => !segment.includes('{env}')), { message: 'must have {env} in its last segment, e.g. "{project}/{env}"' })
    .default(DEFAULT_PATH)
    .meta({ description: 'Secret path per environment inside the mount; one KV entry of key/value pairs each.' }),
  names: nameOverrides.refine((names) => Object.values(names).every((n) => PATH_CHARS.test(n)), {
    message: 'paths use letters, digits, _ . @ + = - and "/" between segments',
  }),
  namespace: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Vault Enterprise / HCP namespace (X-Vault-Namespace). Default: VAULT_NAMESPACE from the environment.' }),
});

export type VaultOptions = z.infer<typeof schema>;

export const example = `# mount = "secret"                         # KV version 2 mount
# path = "${DEFAULT_PATH}"                # one entry per environment: secret/data/myapp/alice
# names = { prod = "myapp/production" }    # existing entries of adopted environments
# exclude = ["STRIPE_LIVE_*"]              # keys never copied to a new environment`;

export const credentials = ['VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_NAMESPACE'] as const;
