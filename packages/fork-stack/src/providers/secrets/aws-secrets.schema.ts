import { z } from 'zod';
import { nameOverrides, namePattern } from '../../core/config-schema.js';

export const DEFAULT_NAME = '{project}/{env}';

/** Characters AWS Secrets Manager accepts in a secret name (CreateSecret `Name`), at most 512 of them. */
export const SECRET_NAME_CHARS = /^[A-Za-z0-9/_+=.@-]+$/;
export const SECRET_NAME_MAX = 512;

const withoutPlaceholders = (pattern: string) => pattern.replace(/\{[a-z_]+\}/g, 'x');

export const schema = z.strictObject({
  name: namePattern(DEFAULT_NAME)
    .refine((p) => SECRET_NAME_CHARS.test(withoutPlaceholders(p)), {
      message: 'may only use ASCII letters, digits and / _ + = . @ - besides the placeholders (AWS secret name rules)',
    })
    .default(DEFAULT_NAME)
    .meta({ description: 'Secret name per environment; one JSON secret of key/value pairs each.' }),
  names: nameOverrides.refine((names) => Object.values(names).every((n) => SECRET_NAME_CHARS.test(n) && n.length <= SECRET_NAME_MAX), {
    message: 'secret names use ASCII letters, digits and / _ + = . @ - (at most 512)',
  }),
  region: z
    .string()
    .regex(/^[a-z]{2,}(-[a-z]+)+-\d+$/, 'is an AWS region such as "eu-west-1"')
    .optional()
    .meta({ description: 'AWS region. Default: AWS_REGION (or AWS_DEFAULT_REGION) from the environment.' }),
  recovery_window_days: z
    .number()
    .int()
    .min(7, 'is at least 7 days (AWS limit)')
    .max(30, 'is at most 30 days (AWS limit)')
    .default(7)
    .meta({ description: 'Days a deleted environment\'s secret can still be restored (7–30). Ignored with force_delete.' }),
  force_delete: z
    .boolean()
    .default(false)
    .meta({ description: 'Delete without a recovery window (ForceDeleteWithoutRecovery): the name is free again within seconds.' }),
  kms_key_id: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'KMS key (id, ARN or alias) for new secrets. Default: the account\'s aws/secretsmanager key.' }),
});

export type AwsSecretsOptions = z.infer<typeof schema>;

export const example = `# name = "${DEFAULT_NAME}"              # one JSON secret per environment
# names = { prod = "myapp/production" }    # existing secrets of adopted environments
# region = "eu-west-1"                     # default: AWS_REGION
# recovery_window_days = 7                 # 7–30; or force_delete = true
# exclude = ["STRIPE_LIVE_*"]              # keys never copied to a new environment`;

export const credentials = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION'] as const;
