/**
 * The JSON Schema for editors (`"$schema"` in fork-stack.toml via Taplo/Even Better TOML, or JSON
 * tooling), generated from the same zod schemas the CLI validates with. schema/fork-stack.schema.json
 * is checked in; a test fails when it drifts from this output (`npm run schema -w fork-stack` rewrites it).
 */
import { z } from 'zod';
import { registry } from '../providers/registry.js';
import { KINDS, type Kind } from '../providers/types.js';
import { commonSchemas } from './common.js';
import { BUCKET_KEY_PATTERN, topLevelSchema } from '../core/config-schema.js';

async function sectionSchema(kind: Kind): Promise<z.ZodType> {
  const variants = await Promise.all(
    Object.entries(registry[kind]).map(async ([name, entry]) => {
      const mod = await entry.schema();
      const options = mod.schema as z.ZodObject;
      return z
        .strictObject({ provider: z.literal(name).meta({ description: entry.summary }) })
        .extend(commonSchemas[kind].shape)
        .extend(options.shape);
    }),
  );
  // A provider from an installed package (providers/packages.ts): its own keys are its schema's, not known here.
  const fromPackage = z
    .looseObject({ provider: z.string().regex(/^npm:/).meta({ description: `A ${kind} provider from an installed npm package: "npm:<package>".` }) })
    .extend(commonSchemas[kind].shape);
  if (variants.length === 0) return fromPackage;
  const builtIn = variants.length === 1 ? (variants[0] as z.ZodType) : z.discriminatedUnion('provider', variants as [z.ZodObject, z.ZodObject, ...z.ZodObject[]]);
  return z.union([builtIn, fromPackage]);
}

export async function buildJsonSchema(): Promise<Record<string, unknown>> {
  const sections: Record<string, z.ZodType> = {};
  for (const kind of KINDS) {
    const section = await sectionSchema(kind);
    sections[kind] =
      kind === 'storage'
        ? z.record(z.string().regex(BUCKET_KEY_PATTERN), section).optional().meta({ description: 'Buckets: [storage.<name>] tables.' })
        : section.optional();
  }
  const whole = topLevelSchema.extend(sections).meta({
    title: 'fork-stack.toml',
    description: 'fork-stack project configuration: what each environment is made of.',
  });
  const json = z.toJSONSchema(whole, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...json, $id: 'https://fork-stack.dev/schema/fork-stack.schema.json' };
}

export async function renderJsonSchema(): Promise<string> {
  return `${JSON.stringify(await buildJsonSchema(), null, 2)}\n`;
}
