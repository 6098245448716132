import { z } from 'zod';
import { envNameSchema, namePattern } from '../../core/config-schema.js';
import { DEFAULT_TURSO_NAME, TURSO_ADOPTED_ENV, TURSO_ADOPTED_NAME } from '../../runtime/conventions.generated.js';

/**
 * The original templates' names: `{project}-{env}`, and the production database is `{project}`. The readers
 * rely on them: conformance/v1/conventions.json (docs/architecture.md, "Conventions as data").
 */
export const DEFAULT_NAME = DEFAULT_TURSO_NAME;
export const DEFAULT_NAMES: Readonly<Record<string, string>> = { [TURSO_ADOPTED_ENV]: TURSO_ADOPTED_NAME };
export const TOKEN_ENV = 'TURSO_API_TOKEN';
export const BASE_URL_ENV = 'FORK_STACK_TURSO_API_URL';
export const DEFAULT_BASE_URL = 'https://api.turso.tech';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and "-"');

export const schema = z.strictObject({
  organization: slug.meta({ description: 'Turso organization slug (turso org list), e.g. your user name for a personal account.' }),
  group: slug.default('default').meta({ description: 'Group holding the databases. Forks are made in the same group as their parent, which Turso requires.' }),
  name: namePattern(DEFAULT_NAME)
    .default(DEFAULT_NAME)
    .meta({ description: 'Database name per environment: lower-case letters, digits and "-", at most 64 characters.' }),
  names: z
    .record(envNameSchema, z.string().min(1))
    .default({ ...DEFAULT_NAMES })
    .meta({ description: 'Database names for particular environments, merged over the default { prod = "{project}" } (the adopted production database).' }),
  token_expiration: z
    .string()
    .regex(/^(never|(\d+[wdhms])+)$/, 'is "never" or a duration such as "7d", "2w" or "1d12h"')
    .default('7d')
    .meta({ description: 'Lifetime of the DATABASE_AUTH_TOKEN minted on create/switch ("never", or e.g. "7d", "2w1d"). Run `fork-stack switch` again for a fresh one.' }),
  token_authorization: z
    .enum(['full-access', 'read-only'])
    .default('full-access')
    .meta({ description: 'Access of the minted DATABASE_AUTH_TOKEN.' }),
});

export type TursoOptions = z.infer<typeof schema>;

export const example = `# Every environment is a Turso database seeded from its parent (same group). Credentials: export ${TOKEN_ENV}=…
organization = "my-org"
# group = "default"
# name = "${DEFAULT_NAME}"          # pr-12 → myapp-pr-12
# names = { prod = "{project}" }     # the production database, adopted
# token_expiration = "7d"`;

export const credentials = [TOKEN_ENV] as const;
