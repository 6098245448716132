import type { Schema } from './openapi-types.js';

interface ObjectShape {
  properties: Map<string, Schema[]>;
  /** Free-form: additionalProperties allowed, or no declared properties at all. */
  open: boolean;
  items: Schema[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function shapeOf(schema: Schema, deref: (schema: Schema) => Schema, depth = 0): ObjectShape {
  const resolved = deref(schema);
  const shape: ObjectShape = { properties: new Map(), open: false, items: [] };
  if (depth > 20) return { ...shape, open: true };
  const declared = resolved.properties as Record<string, Schema> | undefined;
  for (const [name, child] of Object.entries(declared ?? {})) shape.properties.set(name, [child]);
  if (resolved.items && typeof resolved.items === 'object') shape.items.push(resolved.items as Schema);
  const additional = resolved.additionalProperties;
  if (additional === true || isPlainObject(additional) || resolved.patternProperties) shape.open = true;
  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap((keyword) => (resolved[keyword] as Schema[] | undefined) ?? []);
  for (const branch of branches) {
    const inner = shapeOf(branch, deref, depth + 1);
    if (inner.open) shape.open = true;
    for (const [name, schemas] of inner.properties) shape.properties.set(name, [...(shape.properties.get(name) ?? []), ...schemas]);
    shape.items.push(...inner.items);
  }
  if (!declared && branches.length === 0 && additional !== false) shape.open = true;
  return shape;
}

/**
 * JSON pointers of object fields that the schema does not declare anywhere (through $ref, allOf,
 * anyOf, oneOf). OpenAPI allows extra fields by default and servers drop them silently, which is how a
 * misspelt option (`"type:"` for `"type"`) ships unnoticed; the fakes report them instead.
 */
export function unknownFields(schema: Schema, value: unknown, deref: (schema: Schema) => Schema, at = ''): string[] {
  if (Array.isArray(value)) {
    const { items } = shapeOf(schema, deref);
    if (items.length === 0) return [];
    return value.flatMap((item, index) => items.length === 1 ? unknownFields(items[0]!, item, deref, `${at}/${index}`) : []);
  }
  if (!isPlainObject(value)) return [];
  const shape = shapeOf(schema, deref);
  const found: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const schemas = shape.properties.get(key);
    if (!schemas) {
      if (!shape.open) found.push(`${at}/${key}`);
      continue;
    }
    // Only descend where one schema describes the field: with several (oneOf), any could be meant.
    if (schemas.length === 1) found.push(...unknownFields(schemas[0]!, child, deref, `${at}/${key}`));
  }
  return found;
}
