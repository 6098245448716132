import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './faults.js';
import type { OpenApiDoc } from './openapi-types.js';
import type { Progress } from './progress.js';

export interface Principal {
  /** The credential as looked up in the token table (a bearer token, `email:key`, an access key id...). */
  credential: string;
  readOnly: boolean;
}

export interface HandlerContext<State> {
  state: State;
  method: string;
  /** Request path below the base path, e.g. /projects/p-1/branches. */
  path: string;
  /** Path parameters, typed by the spec (decoded strings for string parameters). */
  params: Record<string, string>;
  /** Query parameters present in the request, typed by the spec (numbers, booleans, arrays). */
  query: Record<string, unknown>;
  /** The JSON body, already checked against the spec's schema. */
  body: unknown;
  headers: IncomingHttpHeaders;
  principal: Principal;
  /**
   * Page size to serve: the client's request (or the documented default when it sends none), capped by
   * FakeOptions.pageSize. Only for APIs whose answers tell the client whether more pages follow.
   */
  pageSize(requested: number | undefined, documentedDefault: number): number;
  /**
   * Page size for APIs whose answers do not say whether more follows (a client reads until a short page):
   * the client's request, else FakeOptions.pageSize, else the documented default. Never cuts a page.
   */
  defaultPageSize(requested: number | undefined, documentedDefault: number): number;
  /** A new piece of asynchronous work, paced by FakeOptions.async. */
  progress(): Progress;
  /** Next value of a per-fake counter (deterministic ids). */
  nextId(kind: string): number;
  /** The fake's base URL (origin + base path), e.g. to build hosts clients will reach. */
  baseUrl: string;
  /** ISO timestamp "now" (the fake's clock). */
  now(): string;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Non-JSON answers (Doppler's dotenv download, Upstash's plain-text errors). */
  text?: string;
  headers?: Record<string, string>;
}

export type Handler<State> = (ctx: HandlerContext<State>) => Reply | Promise<Reply>;

export type AuthFailure = 'missing' | 'invalid' | 'read-only';

export interface ErrorReply {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export interface ProviderDefinition<State, Seed> {
  /** 'neon' */
  name: string;
  /** 'Neon API v2', used in messages. */
  title: string;
  spec: OpenApiDoc;
  /** Path prefix of the real base URL that the documented paths are relative to ('/api/v2', '/v1', ''). */
  basePath: string;
  /** Env variable that overrides the base URL, e.g. FORK_STACK_NEON_API_URL. */
  urlVariable: string;
  /** Credential env variables and the values the fake accepts by default. */
  credentials: Record<string, string>;
  /** Other variables a client needs (AWS_REGION). */
  extraEnv?: Record<string, string>;
  /** The credentials an env maps to, as the token-table key (`email:key`, `id:token`). */
  credentialKey(credentials: Record<string, string>): string;
  /** The credential a request carries, or undefined when it carries none of the documented kind. */
  credentialOf(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined;
  /** The provider's answer when authentication fails. */
  authError(failure: AuthFailure): ErrorReply;
  /** The provider's error body for a status and message. */
  error(status: number, message: string, code?: string): ErrorReply;
  /** How the provider answers an injected fault, when it differs from `error` (+ Retry-After on 429). */
  faultReply?(kind: Exclude<FaultKind, 'drop' | 'stall'>, retryAfterSeconds: number): ErrorReply;
  /** HTTP methods beyond Node's parser's list that clients send (Vault's LIST). */
  extraMethods?: string[];
  /** Operations a read-only credential may call, where the HTTP method does not tell (AWS JSON: all POST). */
  readOperations?: string[];
  /** Content-Type of the provider's JSON answers when not application/json (AWS: application/x-amz-json-1.1). */
  jsonContentType?: string;
  /** Map a request to the spec's method and path, when the wire format is not REST (AWS JSON 1.1, Vault LIST). */
  route?(method: string, path: string, headers: IncomingHttpHeaders, query: URLSearchParams): { method: string; path: string };
  /**
   * The server parses a JSON body whatever its Content-Type (the official SDK sends some JSON bodies as
   * text/plain), so only the body, not the header, is judged.
   */
  anyContentTypeForJson?: boolean;
  /** Operations that must never be called; recorded in fake.forbiddenCalls (and still carried out, as the provider would). */
  forbidden?: Record<string, string>;
  createState(): State;
  /**
   * Everything the service holds for the named resource (its record and what hangs off it, never the
   * credentials a client mints to read it), for FakeServer.fingerprint; undefined when there is none.
   */
  resource?(state: State, name: string): unknown;
  /** Put the default scenario (or a JSON scenario) into a fresh state. */
  seed(seeder: Seed, scenario: Record<string, unknown> | undefined): void;
  /** Helpers for tests to add root resources. */
  seeder(state: State, ctx: SeedContext): Seed;
  handlers: Record<string, Handler<State>>;
}

export interface SeedContext {
  nextId(kind: string): number;
  baseUrl: string;
  now(): string;
  progress(): Progress;
}
