import type { IncomingHttpHeaders } from 'node:http';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import type { OpenApiDoc, Operation, Parameter, RequestBody, ResponseObject, Schema } from './openapi-types.js';
import { unknownFields } from './unknown-fields.js';

type FormatsPlugin = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS: Node hands ESM its module.exports, bundlers may hand the namespace.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ?? formatsModule) as unknown as FormatsPlugin;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'list'] as const;

interface Route {
  key: string;
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  literalLength: number;
  operation: Operation;
  pathParameters: Parameter[];
}

export type MatchResult =
  | { kind: 'matched'; key: string; template: string; operation: Operation; parameters: Parameter[]; pathValues: Record<string, string> }
  | { kind: 'unknown-path' }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'omitted'; key: string };

export interface RequestParts {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface CheckedRequest {
  /** Ways the request departs from the spec; empty when it conforms. */
  problems: string[];
  /** Set when the spec's security requirements are not met (no credentials of a documented kind). */
  missingCredentials?: string;
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

/** `/v1/{mount}/data/{path+}` → a regex; `{name+}` spans several segments (Vault's secret paths). */
function templateRegex(template: string): { regex: RegExp; names: string[]; literalLength: number } {
  const names: string[] = [];
  let literalLength = 0;
  const source = template.replace(/\{([^}]+)\}|([^{]+)/g, (_, param: string | undefined, literal: string | undefined) => {
    if (param !== undefined) {
      const greedy = param.endsWith('+');
      names.push(greedy ? param.slice(0, -1) : param);
      return greedy ? '(.+?)' : '([^/]+)';
    }
    literalLength += literal!.length;
    return literal!.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  });
  return { regex: new RegExp(`^${source}/?$`), names, literalLength };
}

/**
 * OpenAPI 3.0 writes exclusive bounds as booleans beside minimum/maximum (JSON Schema draft 4 style);
 * ajv's draft-07 wants the bound itself. Converted on a copy, in place of the spec's own objects.
 */
function toJsonSchema<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = toJsonSchema(value);
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[exclusive] !== 'boolean') continue;
    if (out[exclusive] === true && typeof out[bound] === 'number') {
      out[exclusive] = out[bound];
      delete out[bound];
    } else {
      delete out[exclusive];
    }
  }
  return out as T;
}

function formatErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${where}${error.instancePath || ''} ${error.message ?? 'is invalid'}${
    error.keyword === 'enum' ? ` (${JSON.stringify((error.params as { allowedValues?: unknown[] }).allowedValues)})` : ''}`);
}

/**
 * Matches requests to a spec's operations and checks them with ajv: path, query and header parameters,
 * security, and the JSON body (plus fields the schema does not declare, which real servers ignore
 * silently and are nearly always a client typo). Also checks the fake's own JSON answers against the
 * documented response schemas, so a fake cannot drift from the spec unnoticed.
 */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly routes: Route[] = [];
  private readonly omitted: { key: string; method: string; regex: RegExp }[] = [];
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  constructor(readonly specId: string, readonly doc: OpenApiDoc, private readonly leniency: { anyContentTypeForJson?: boolean } = {}) {
    const options = { strict: false, allErrors: true, logger: false as const, discriminator: false };
    this.ajv = doc.openapi.startsWith('3.1') ? (new Ajv2020(options) as unknown as Ajv) : new Ajv(options);
    addFormats(this.ajv);
    for (const name of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password', 'decimal']) this.ajv.addFormat(name, true);
    this.ajv.addSchema({ $id: specId, components: toJsonSchema(doc.components ?? {}) });
    for (const [template, item] of Object.entries(doc.paths)) {
      const { regex, names, literalLength } = templateRegex(template);
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        const key = `${method.toUpperCase()} ${template}`;
        this.routes.push({ key, method: method.toUpperCase(), template, regex, names, literalLength, operation, pathParameters: item.parameters ?? [] });
      }
    }
    // The most specific template wins: /projects/shared before /projects/{project_id}.
    this.routes.sort((a, b) => b.literalLength - a.literalLength);
    for (const key of doc['x-fork-stack-omitted'] ?? []) {
      const [method = '', template = ''] = key.split(' ');
      this.omitted.push({ key, method, regex: templateRegex(template).regex });
    }
  }

  /** Compile every schema of every operation: problems a request would otherwise only meet at run time. */
  compileAll(): string[] {
    const problems: string[] = [];
    for (const route of this.routes) {
      const schemas: Schema[] = [
        ...this.parameters(route).map((parameter) => parameter.schema ?? {}),
        ...Object.values(route.operation.requestBody ? this.deref<RequestBody>(route.operation.requestBody).content ?? {} : {}).map((media) => media.schema ?? {}),
        ...Object.values(route.operation.responses ?? {}).flatMap((response) => Object.values(this.deref<ResponseObject>(response).content ?? {}).map((media) => media.schema ?? {})),
      ];
      for (const schema of schemas) {
        try {
          this.validate(schema, null, route.key);
        } catch (error) {
          problems.push(`${route.key}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    return problems;
  }

  hasOperation(key: string): boolean {
    return this.routes.some((route) => route.key === key);
  }

  match(method: string, pathname: string): MatchResult {
    const upper = method.toUpperCase();
    const candidates = this.routes.filter((route) => route.regex.test(pathname));
    const route = candidates.find((candidate) => candidate.method === upper);
    if (route) {
      const values = route.regex.exec(pathname)!.slice(1);
      const pathValues: Record<string, string> = {};
      route.names.forEach((name, index) => {
        pathValues[name] = decodeURIComponent(values[index] ?? '');
      });
      return { kind: 'matched', key: route.key, template: route.template, operation: route.operation, parameters: this.parameters(route), pathValues };
    }
    const omitted = this.omitted.find((entry) => entry.method === upper && entry.regex.test(pathname));
    if (omitted) return { kind: 'omitted', key: omitted.key };
    if (candidates.length > 0) return { kind: 'method-not-allowed', allowed: [...new Set(candidates.map((c) => c.method))] };
    return { kind: 'unknown-path' };
  }

  check(match: Extract<MatchResult, { kind: 'matched' }>, request: RequestParts): CheckedRequest {
    const problems: string[] = [];
    const path: Record<string, unknown> = {};
    const query: Record<string, unknown> = {};
    // A credential sent as a query parameter (QStash's qstash_token) is declared by the security scheme.
    const declaredQuery = new Set<string>(Object.values(this.doc.components?.securitySchemes ?? {})
      .filter((scheme) => scheme.type === 'apiKey' && scheme.in === 'query' && scheme.name).map((scheme) => scheme.name!));
    for (const parameter of match.parameters) {
      const schema = parameter.schema ?? {};
      if (parameter.in === 'path') {
        const raw = match.pathValues[parameter.name];
        if (raw === undefined) continue;
        path[parameter.name] = this.coerce(schema, [raw], parameter);
        problems.push(...this.validate(schema, path[parameter.name], `path parameter ${parameter.name}`));
      } else if (parameter.in === 'query') {
        declaredQuery.add(parameter.name);
        const raw = request.query.getAll(parameter.name);
        if (raw.length === 0) {
          if (parameter.required) problems.push(`query parameter ${parameter.name} is required`);
          continue;
        }
        query[parameter.name] = this.coerce(schema, raw, parameter);
        problems.push(...this.validate(schema, query[parameter.name], `query parameter ${parameter.name}`));
      } else if (parameter.in === 'header') {
        const name = parameter.name.toLowerCase();
        // OpenAPI ignores header parameters named Accept, Content-Type and Authorization.
        if (['accept', 'content-type', 'authorization'].includes(name)) continue;
        const raw = request.headers[name];
        if (raw === undefined) {
          if (parameter.required) problems.push(`header ${parameter.name} is required`);
          continue;
        }
        problems.push(...this.validate(schema, this.coerce(schema, [String(raw)], parameter), `header ${parameter.name}`));
      }
    }
    for (const name of new Set(request.query.keys())) {
      if (!declaredQuery.has(name)) problems.push(`query parameter ${name} is not defined for ${match.key}`);
    }
    const body = this.checkBody(match, request, problems);
    const missingCredentials = this.checkSecurity(match.operation, request);
    return { problems, path, query, body, ...(missingCredentials ? { missingCredentials } : {}) };
  }

  /** Problems in a JSON answer of the fake for `status`, judged by the operation's response schema. */
  checkResponse(operation: Operation, status: number, body: unknown): string[] {
    const responses = operation.responses ?? {};
    const declared = responses[String(status)] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses.default;
    if (!declared) return status >= 200 && status < 300 ? [`status ${status} is not a documented response`] : [];
    const response = this.deref<ResponseObject>(declared);
    const schema = response.content?.['application/json']?.schema;
    if (!schema || body === undefined) return [];
    return this.validate(schema, body, 'response');
  }

  private checkBody(match: Extract<MatchResult, { kind: 'matched' }>, request: RequestParts, problems: string[]): unknown {
    const declared = match.operation.requestBody ? this.deref<RequestBody>(match.operation.requestBody) : undefined;
    const hasBody = request.rawBody.trim().length > 0;
    if (!declared) {
      if (hasBody) problems.push(`${match.key} takes no request body`);
      return undefined;
    }
    if (!hasBody) {
      if (declared.required) problems.push('request body is required');
      return undefined;
    }
    const contentType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const mediaTypes = Object.keys(declared.content ?? {});
    const media = declared.content?.[contentType]
      ?? (this.leniency.anyContentTypeForJson ? declared.content?.['application/json'] : undefined);
    if (!media) {
      problems.push(`Content-Type ${contentType || '(none)'} is not accepted; expected ${mediaTypes.join(' or ')}`);
      return undefined;
    }
    if (!contentType.includes('json') && !this.leniency.anyContentTypeForJson) return request.rawBody;
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody);
    } catch {
      problems.push('request body is not valid JSON');
      return undefined;
    }
    if (media.schema) {
      problems.push(...this.validate(media.schema, body, 'body'));
      for (const field of unknownFields(media.schema, body, (schema) => this.deref(schema))) {
        problems.push(`body${field} is not a documented field`);
      }
    }
    return body;
  }

  private checkSecurity(operation: Operation, request: RequestParts): string | undefined {
    const requirements = operation.security ?? this.doc.security;
    if (!requirements || requirements.length === 0) return undefined;
    const schemes = this.doc.components?.securitySchemes ?? {};
    // Some specs name schemes they never define (Supabase's `bearer`): leave those to the provider.
    if (!requirements.some((requirement) => Object.keys(requirement).every((name) => schemes[name]))) return undefined;
    const authorization = String(request.headers.authorization ?? '');
    const satisfied = requirements.some((requirement) => Object.keys(requirement).every((name) => {
      const scheme = schemes[name];
      if (!scheme) return false;
      if (scheme.type === 'http') return new RegExp(`^${scheme.scheme ?? 'bearer'}\\s+\\S`, 'i').test(authorization);
      if (scheme.type === 'apiKey') {
        const keyName = scheme.name ?? '';
        if (scheme.in === 'header') return request.headers[keyName.toLowerCase()] !== undefined;
        if (scheme.in === 'query') return request.query.has(keyName);
        return String(request.headers.cookie ?? '').split(/;\s*/).some((pair) => pair.startsWith(`${keyName}=`));
      }
      return authorization.length > 0;
    }));
    if (satisfied) return undefined;
    const described = requirements.map((requirement) => Object.keys(requirement).map((name) => {
      const scheme = schemes[name];
      if (scheme?.type === 'http') return `Authorization: ${scheme.scheme === 'basic' ? 'Basic' : 'Bearer'} …`;
      if (scheme?.type === 'apiKey') return `${scheme.in} ${scheme.name}`;
      return 'Authorization header';
    }).join(' + '));
    return `missing credentials: send ${[...new Set(described)].join(', or ')}`;
  }

  private parameters(route: Route): Parameter[] {
    const byKey = new Map<string, Parameter>();
    for (const parameter of [...route.pathParameters, ...(route.operation.parameters ?? [])]) {
      const resolved = this.deref<Parameter>(parameter);
      byKey.set(`${resolved.in}:${resolved.name}`, resolved);
    }
    return [...byKey.values()];
  }

  /** Query and path values arrive as strings; give them the type their schema declares. */
  private coerce(schema: Schema, raw: string[], parameter: Parameter): unknown {
    const resolved = this.deref(schema);
    const type = Array.isArray(resolved.type) ? resolved.type.find((t) => t !== 'null') : resolved.type;
    if (type === 'array') {
      const items = (resolved.items as Schema | undefined) ?? {};
      const values = parameter.explode === false || raw.length === 1 ? raw.flatMap((value) => value.split(',')) : raw;
      return values.map((value) => this.coerceScalar(this.deref(items), value));
    }
    return this.coerceScalar(resolved, raw[raw.length - 1] ?? '');
  }

  private coerceScalar(schema: Schema, value: string): unknown {
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return Number(value);
    if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
    return value;
  }

  private validate(schema: Schema, value: unknown, where: string): string[] {
    let validator = this.compiled.get(schema);
    if (!validator) {
      const withRefs = toJsonSchema(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${this.specId}#/components/`)) as Schema);
      validator = this.ajv.compile(withRefs);
      this.compiled.set(schema, validator);
    }
    return validator(value) ? [] : formatErrors(where, validator.errors);
  }

  /** Follows a local `$ref` (including deep pointers) within the spec. */
  deref<T extends object>(node: T): T {
    let current: unknown = node;
    for (let hops = 0; hops < 20; hops += 1) {
      const ref = (current as { $ref?: unknown }).$ref;
      if (typeof ref !== 'string' || !ref.startsWith('#/')) return current as T;
      current = ref.slice(2).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], this.doc);
      if (current === undefined) throw new Error(`${this.specId}: dangling $ref ${ref}`);
    }
    throw new Error(`${this.specId}: $ref cycle at ${JSON.stringify(node)}`);
  }
}
