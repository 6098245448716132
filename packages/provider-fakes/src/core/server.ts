import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { methodRewritingProxy, ORIGINAL_METHOD_HEADER } from './extra-methods.js';
import { fingerprintOf } from './fingerprint.js';
import { FaultInjector, type FailRule, type FaultDecision, type FaultKind, type FaultOptions } from './faults.js';
import { readBody, writeReply } from './body.js';
import { HttpError } from './http-error.js';
import { OpenApiValidator, type MatchResult } from './openapi.js';
import { Progress, type AsyncOptions } from './progress.js';
import type { ErrorReply, HandlerContext, Principal, ProviderDefinition, Reply, SeedContext } from './provider.js';

export interface FakeOptions {
  /** Added before every answer (benchmarks). Default 0. */
  latencyMs?: number;
  /** Random faults, seeded. Default none. */
  faults?: FaultOptions;
  /** Largest page served (the client's own smaller limit is honoured); also the page size when it asks for none. */
  pageSize?: number;
  /** Pace of asynchronous work (branches, operations, tasks). Default { polls: 1, ms: 0 }. */
  async?: AsyncOptions;
  /** 'default' (the documented default scenario), 'empty', or a provider-specific JSON scenario. */
  scenario?: 'default' | 'empty' | Record<string, unknown>;
  /** Credential values the fake accepts, by env variable name (defaults: the provider's). */
  credentials?: Record<string, string>;
  /** Check the fake's own 2xx answers against the spec (fake.responseProblems). Default true. */
  checkResponses?: boolean;
  /** Loopback port; default 0 (a free one). */
  port?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  operation?: string;
  status: number;
  fault?: FaultKind;
  afterApply?: boolean;
}

export interface Violation {
  method: string;
  path: string;
  operation?: string;
  problems: string[];
}

export interface ForbiddenCall {
  method: string;
  path: string;
  operation: string;
  reason: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const READ_METHODS = new Set(['GET', 'HEAD', 'LIST']);
/** Inspection for tests that cannot reach the object (other languages, via serve.js). Not logged. */
export const INSPECT_PATH = '/__fake/';

export class FakeServer<State, Seed> {
  readonly requests: RequestRecord[] = [];
  readonly violations: Violation[] = [];
  readonly forbiddenCalls: ForbiddenCall[] = [];
  /** Answers of the fake that its own spec says are wrong: a bug in the fake, never the client's fault. */
  readonly responseProblems: string[] = [];
  url = '';
  env: Record<string, string> = {};
  private currentState: State;
  private currentSeed: Seed;
  private readonly validator: OpenApiValidator;
  private readonly faults: FaultInjector;
  private readonly credentials = new Map<string, { readOnly: boolean }>();
  private readonly sockets = new Set<Socket>();
  private readonly stalls = new Set<NodeJS.Timeout>();
  private counters = new Map<string, number>();
  private readonlyCount = 0;
  private server: Server | undefined;
  /** TCP front that rewrites methods Node cannot parse (see extra-methods.ts). */
  private front: NetServer | undefined;

  constructor(readonly provider: ProviderDefinition<State, Seed>, readonly options: FakeOptions = {}) {
    this.validator = new OpenApiValidator(`openapi:${provider.name}`, provider.spec, { anyContentTypeForJson: provider.anyContentTypeForJson ?? false });
    for (const key of Object.keys(provider.handlers)) {
      if (!this.validator.hasOperation(key)) throw new Error(`${provider.name} fake: handler ${key} is not an operation of its spec`);
    }
    this.faults = new FaultInjector(options.faults);
    this.currentState = provider.createState();
    this.currentSeed = provider.seeder(this.currentState, this.seedContext());
  }

  get state(): State {
    return this.currentState;
  }

  /** Helpers that add root resources (a project, a database) to the state. */
  get seed(): Seed {
    return this.currentSeed;
  }

  async listen(): Promise<void> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        this.responseProblems.push(`fake crashed on ${request.method} ${request.url}: ${error instanceof Error ? error.stack : String(error)}`);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('fake crashed');
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    const extraMethods = this.provider.extraMethods ?? [];
    const listen = (target: NetServer, port: number) => new Promise<void>((resolve, reject) => {
      target.once('error', reject);
      target.listen(port, '127.0.0.1', () => resolve());
    });
    await listen(server, extraMethods.length > 0 ? 0 : this.options.port ?? 0);
    this.server = server;
    let { port } = server.address() as AddressInfo;
    if (extraMethods.length > 0) {
      const front = methodRewritingProxy(port, extraMethods, this.sockets);
      this.front = front;
      await listen(front, this.options.port ?? 0);
      port = (front.address() as AddressInfo).port;
    }
    this.url = `http://127.0.0.1:${port}${this.provider.basePath}`;
    const credentials = { ...this.provider.credentials, ...this.options.credentials };
    this.credentials.set(this.provider.credentialKey(credentials), { readOnly: false });
    this.env = { [this.provider.urlVariable]: this.url, ...credentials, ...this.provider.extraEnv };
    this.applyScenario();
  }

  /** Credentials (env variables) that authenticate but may only read: mutations get the provider's 403. */
  addReadOnlyCredentials(): Record<string, string> {
    this.readonlyCount += 1;
    const credentials = Object.fromEntries(Object.entries({ ...this.provider.credentials, ...this.options.credentials })
      .map(([name, value]) => [name, `${value}-readonly${this.readonlyCount}`]));
    this.credentials.set(this.provider.credentialKey(credentials), { readOnly: true });
    return { ...this.env, ...credentials };
  }

  /** Stop accepting a credential (a revoked token): it then gets the provider's 401. */
  revokeCredentials(credentials: Record<string, string>): void {
    this.credentials.delete(this.provider.credentialKey(credentials));
  }

  /**
   * A stable hash of the named resource (a branch, database, queue: see each provider's `resource`), or
   * "absent". Equal before and after whatever a client did means the client did not change it.
   */
  fingerprint(name: string): string {
    const resource = this.provider.resource;
    if (!resource) throw new Error(`the ${this.provider.name} fake has no fingerprint of its resources`);
    const held = resource(this.currentState, name);
    return held === undefined ? 'absent' : fingerprintOf(held);
  }

  /** Fail a specific request deterministically, e.g. the 1st create of branch "alice" with 500. */
  failNth(rule: FailRule): void {
    this.faults.failNth(rule);
  }

  /** Forget all state, logs and rules; re-apply the scenario the fake started with. */
  reset(): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.forbiddenCalls.length = 0;
    this.responseProblems.length = 0;
    this.faults.reset();
    this.counters = new Map();
    this.currentState = this.provider.createState();
    this.currentSeed = this.provider.seeder(this.currentState, this.seedContext());
    this.applyScenario();
  }

  async close(): Promise<void> {
    for (const timer of this.stalls) clearTimeout(timer);
    this.stalls.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    const front = this.front;
    this.front = undefined;
    if (front) await new Promise<void>((resolve) => front.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private applyScenario(): void {
    const scenario = this.options.scenario ?? 'default';
    if (scenario === 'empty') return;
    this.provider.seed(this.currentSeed, scenario === 'default' ? undefined : scenario);
  }

  private nextId(kind: string): number {
    const next = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, next);
    return next;
  }

  private seedContext(): SeedContext {
    const fake = this;
    return {
      nextId: (kind) => this.nextId(kind),
      get baseUrl() { return fake.url; },
      now: () => new Date().toISOString(),
      progress: () => this.newProgress(),
    };
  }

  private newProgress(): Progress {
    return new Progress({ polls: this.options.async?.polls ?? 1, ms: this.options.async?.ms ?? 0 });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://fake');
    if (url.pathname.startsWith(INSPECT_PATH)) return this.inspect(request.method ?? 'GET', url.pathname, response);
    const method = String(request.headers[ORIGINAL_METHOD_HEADER] ?? request.method ?? 'GET');
    delete request.headers[ORIGINAL_METHOD_HEADER];
    const record: RequestRecord = { method, path: url.pathname, query: url.search, status: 0 };
    this.requests.push(record);
    if (this.options.latencyMs) await sleep(this.options.latencyMs);
    const send = (reply: Reply | ErrorReply) => {
      record.status = reply.status ?? 200;
      const contentType = this.provider.jsonContentType;
      const headers = {
        ...(contentType && reply.body !== undefined ? { 'content-type': contentType } : {}),
        ...(this.front ? { connection: 'close' } : {}),
        ...reply.headers,
      };
      writeReply(response, { ...reply, headers });
    };
    const violation = (problems: string[], operation?: string) => {
      this.violations.push({ method: record.method, path: record.path, ...(operation ? { operation } : {}), problems });
    };

    const basePath = this.provider.basePath;
    if (!(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
      violation([`path is not under the API base path ${basePath}`]);
      return send(this.provider.error(404, `not found: ${url.pathname}`));
    }
    const below = url.pathname.slice(basePath.length) || '/';
    const routed = this.provider.route?.(record.method, below, request.headers, url.searchParams) ?? { method: record.method, path: below };
    const match = this.validator.match(routed.method, routed.path);
    if (match.kind !== 'matched') {
      violation([describeMiss(match, routed.method, routed.path, this.provider.title)]);
      const status = match.kind === 'method-not-allowed' ? 405 : 404;
      return send(this.provider.error(status, describeMiss(match, routed.method, routed.path, this.provider.title)));
    }
    record.operation = match.key;
    const checked = this.validator.check(match, { method: routed.method, pathname: routed.path, query: url.searchParams, headers: request.headers, rawBody });
    // An operation whose spec says `security: []` needs no credentials (Vault's sys/health).
    const anonymous = Array.isArray(match.operation.security) && match.operation.security.length === 0;
    const credential = anonymous ? '' : this.provider.credentialOf(request.headers, url.searchParams);
    const problems = [...checked.problems];
    if (checked.missingCredentials || credential === undefined) {
      problems.unshift(checked.missingCredentials ?? `missing credentials for ${this.provider.title}`);
    }
    if (problems.length > 0) violation(problems, match.key);
    if (credential === undefined) return send(this.provider.authError('missing'));
    const grant = anonymous ? { readOnly: false } : this.credentials.get(credential);
    if (!grant) return send(this.provider.authError('invalid'));
    const isRead = this.provider.readOperations ? this.provider.readOperations.includes(match.key) : READ_METHODS.has(routed.method);
    if (grant.readOnly && !isRead) return send(this.provider.authError('read-only'));
    if (checked.problems.length > 0) {
      return send(this.provider.error(400, `request does not match the ${this.provider.title} spec: ${checked.problems.join('; ')}`));
    }
    const reason = this.provider.forbidden?.[match.key];
    if (reason) this.forbiddenCalls.push({ method: record.method, path: record.path, operation: match.key, reason });

    const fault = this.faults.decide({ method: routed.method, path: record.path, operation: match.key, body: checked.body });
    if (fault && !fault.afterApply) return this.sendFault(fault, record, response);
    const principal: Principal = { credential, readOnly: grant.readOnly };
    const reply = await this.runHandler(match, checked, routed, request, principal);
    if (fault) return this.sendFault(fault, record, response);
    if (this.options.checkResponses !== false && reply.status !== undefined && reply.status < 300 && reply.body !== undefined) {
      for (const problem of this.validator.checkResponse(match.operation, reply.status, reply.body)) {
        this.responseProblems.push(`${match.key} → ${reply.status}: ${problem}`);
      }
    }
    send(reply);
  }

  private async runHandler(
    match: Extract<MatchResult, { kind: 'matched' }>,
    checked: { path: Record<string, unknown>; query: Record<string, unknown>; body: unknown },
    routed: { method: string; path: string },
    request: IncomingMessage,
    principal: Principal,
  ): Promise<Reply & { status: number }> {
    const handler = this.provider.handlers[match.key];
    if (!handler) {
      const message = `${match.key} is in the ${this.provider.title} spec but not modelled by the fake`;
      this.violations.push({ method: routed.method, path: routed.path, operation: match.key, problems: [message] });
      return this.provider.error(501, message);
    }
    const ctx: HandlerContext<State> = {
      state: this.currentState,
      method: routed.method,
      path: routed.path,
      params: match.pathValues,
      query: checked.query,
      body: checked.body,
      headers: request.headers,
      principal,
      pageSize: (requested, documentedDefault) => Math.min(requested ?? this.options.pageSize ?? documentedDefault, this.options.pageSize ?? Number.MAX_SAFE_INTEGER),
      defaultPageSize: (requested, documentedDefault) => requested ?? this.options.pageSize ?? documentedDefault,
      progress: () => this.newProgress(),
      nextId: (kind) => this.nextId(kind),
      baseUrl: this.url,
      now: () => new Date().toISOString(),
    };
    try {
      const reply = await handler(ctx);
      return { ...reply, status: reply.status ?? 200 };
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const reply = this.provider.error(error.status, error.message, error.options.code);
      return {
        ...reply,
        ...(error.options.body !== undefined ? { body: error.options.body } : {}),
        headers: { ...reply.headers, ...error.options.headers },
      };
    }
  }

  private inspect(method: string, pathname: string, response: ServerResponse): void {
    if (method === 'POST' && pathname === `${INSPECT_PATH}reset`) {
      this.reset();
      return writeReply(response, { status: 204 });
    }
    if (method === 'GET' && pathname === `${INSPECT_PATH}inspect`) {
      return writeReply(response, {
        status: 200,
        body: { requests: this.requests, violations: this.violations, forbiddenCalls: this.forbiddenCalls, responseProblems: this.responseProblems },
      });
    }
    writeReply(response, { status: 404, text: `inspection: GET ${INSPECT_PATH}inspect or POST ${INSPECT_PATH}reset` });
  }

  private sendFault(fault: FaultDecision, record: RequestRecord, response: ServerResponse): void {
    record.fault = fault.kind;
    if (fault.afterApply) record.afterApply = true;
    if (fault.kind === 'drop') {
      record.status = 0;
      response.socket?.destroy();
      return;
    }
    if (fault.kind === 'stall') {
      record.status = 0;
      const timer = setTimeout(() => {
        this.stalls.delete(timer);
        response.socket?.destroy();
      }, this.faults.stallMs);
      this.stalls.add(timer);
      return;
    }
    const retryAfter = this.faults.retryAfterSeconds;
    const reply = this.provider.faultReply?.(fault.kind, retryAfter)
      ?? this.provider.error(Number(fault.kind), fault.kind === '429' ? 'rate limit exceeded' : 'injected server error');
    const headers = fault.kind === '429' ? { 'retry-after': String(retryAfter), ...reply.headers } : reply.headers;
    record.status = reply.status;
    writeReply(response, { ...reply, ...(headers ? { headers } : {}) });
  }
}

function describeMiss(match: Exclude<MatchResult, { kind: 'matched' }>, method: string, path: string, title: string): string {
  if (match.kind === 'omitted') return `${match.key} is in the ${title} spec but not modelled by the fake`;
  if (match.kind === 'method-not-allowed') return `${method} is not a documented method for ${path} (documented: ${match.allowed.join(', ')})`;
  return `${method} ${path} is not an operation of the ${title}`;
}
