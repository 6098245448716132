/**
 * What Upstash Redis and Redis Cloud share: a database per environment, found by name, whose databases
 * carry no marker, so a name proves nothing (docs/architecture.md, "Ownership"). Roots are adopted by
 * name and never created, forked over or deleted; a fork is fork-stack's only when this checkout's
 * ledger (cloud/checkout-record.ts) names its database id; anything else under an environment's name is
 * refused untouched. Each provider keeps its API calls, waits and variables.
 */
import { OperationError, UsageError } from '../../core/errors.js';
import { ledgerMarkedFor, ledgerOwns, readLedger, type LedgerEntry } from '../cloud/checkout-record.js';
import { isAdoptedEnv, type Naming, type NamingOptions } from '../cloud/naming.js';
import type { Check, ProviderContext, Resource } from '../types.js';

type Ctx = ProviderContext<NamingOptions>;

export interface DatabaseKind<D> {
  /** Prefix of messages: "upstash", "redis-cloud". */
  label: string;
  naming: Naming;
  nameOf(db: D): string;
  idOf(db: D): string;
  /** Why a name proves nothing, and where to delete by hand: for the refusal's hint. */
  unmarked: string;
  byHand: string;
  /** Where the databases live, for messages (" in subscription 100001"), or "". */
  where(ctx: Ctx): string;
}

export class DatabasePerEnv<D> {
  constructor(private readonly kind: DatabaseKind<D>) {}

  /** Whether the database is fork-stack's for `env`, and whose it says it is when not. */
  ownership(ctx: Ctx, env: string, db: D, entry: LedgerEntry | undefined): Pick<Resource, 'owned' | 'markedFor'> {
    const owned = !isAdoptedEnv(ctx, env) && ledgerOwns(ctx, env, entry, [this.kind.idOf(db)]);
    const markedFor = owned ? undefined : ledgerMarkedFor(ctx, env, entry);
    return { owned, ...(markedFor ? { markedFor } : {}) };
  }

  notOurs(ctx: Ctx, env: string, db: D, action: string): OperationError {
    const { label, nameOf, idOf, unmarked, byHand } = this.kind;
    return new OperationError(`${label}: refusing to ${action} database "${nameOf(db)}" (${idOf(db)}) for "${env}": this checkout has no record that fork-stack created it for project "${ctx.project}"; it was left untouched`, {
      hint: `${unmarked}, so fork-stack only touches the databases it created here. Delete or rename "${nameOf(db)}" yourself${byHand}, or give "${env}" another name with names = { ${env} = "…" } in [${ctx.slot}].`,
    });
  }

  /** Before a fork: the name is valid and not an adopted environment's. */
  checkForkable(ctx: Ctx, env: string): void {
    const problem = this.kind.naming.check(ctx, env);
    if (problem) throw new UsageError(`${this.kind.label}: ${problem}`);
    if (isAdoptedEnv(ctx, env)) throw new UsageError(`${this.kind.label}: "${env}" is a root or protected environment; its database is adopted, never created`);
  }

  /** The database already under `env`'s name, with its ledger entry, when it is ours; a refusal when it is not. */
  async existing(ctx: Ctx, env: string, all: D[]): Promise<{ db: D; entry: LedgerEntry | undefined } | undefined> {
    const name = this.kind.naming.nameOf(ctx, env);
    const db = all.find((d) => this.kind.nameOf(d) === name);
    if (!db) return undefined;
    const entry = await readLedger(ctx, env);
    if (!ledgerOwns(ctx, env, entry, [this.kind.idOf(db)])) throw this.notOurs(ctx, env, db, 'fork over');
    return { db, entry };
  }

  parentOf(ctx: Ctx, parent: string, all: D[]): D {
    const name = this.kind.naming.nameOf(ctx, parent);
    const found = all.find((d) => this.kind.nameOf(d) === name);
    if (!found) {
      throw new OperationError(`${this.kind.label}: parent environment "${parent}" has no database "${name}"${this.kind.where(ctx)}`, {
        hint: `Run "fork-stack list" to see the environments, or set names = { ${parent} = "<database name>" } in [${ctx.slot}] to adopt an existing database.`,
      });
    }
    return found;
  }

  /** Before a remove: never an adopted environment's database, never one this checkout did not make. */
  async checkRemovable(ctx: Ctx, env: string, db: D): Promise<void> {
    if (!ledgerOwns(ctx, env, await readLedger(ctx, env), [this.kind.idOf(db)])) throw this.notOurs(ctx, env, db, 'delete');
  }

  refuseAdoptedRemove(ctx: Ctx, env: string): void {
    if (isAdoptedEnv(ctx, env)) throw new UsageError(`${this.kind.label}: "${env}" is a root or protected environment; fork-stack never deletes its database`);
  }

  /** Every database named for an environment of this project. */
  async listed(ctx: Ctx, all: D[], resource: (env: string, db: D, entry: LedgerEntry | undefined) => Resource): Promise<Resource[]> {
    const out: Resource[] = [];
    for (const db of all) {
      const env = this.kind.naming.envOf(ctx, this.kind.nameOf(db));
      if (env) out.push(resource(env, db, await readLedger(ctx, env)));
    }
    return out;
  }

  /** doctor: each root's database exists. */
  rootChecks(ctx: Ctx, all: D[], fix: (root: string) => string): Check[] {
    return ctx.roots.map((root) => {
      const name = this.kind.naming.nameOf(ctx, root);
      const found = all.some((db) => this.kind.nameOf(db) === name);
      return {
        name: `root "${root}"`,
        status: found ? 'ok' : 'fail',
        message: found ? `database "${name}" exists` : `no database "${name}"${this.kind.where(ctx)}`,
        fix: found ? undefined : fix(root),
      };
    });
  }
}
