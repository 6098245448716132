/**
 * What `list` shows of a cloud database provider's resources (Turso databases, PlanetScale and Supabase
 * branches): each one named for an environment of this project, when it is fork-stack's (proved by its
 * checkout record), recorded for another environment, a branch the provider says was made from another
 * (a teammate's, shown as not owned: list shows what exists), named explicitly, or adopted.
 */
import type { Resource } from '../types.js';
import type { Ownership } from './checkout-record.js';
import { isAdoptedEnv, type Naming, type NamingOptions } from './naming.js';
import type { ProviderContext } from '../types.js';

export interface Listing<T> {
  nameOf(item: T): string;
  ownership(item: T, env: string): Promise<Ownership>;
  /** The provider says the item was made from another resource (a branch, not a root). */
  isBranch(item: T): boolean;
  toResource(item: T, env: string, own: Ownership): Resource;
}

export async function listed<T>(ctx: ProviderContext<NamingOptions>, naming: Naming, items: Iterable<T>, listing: Listing<T>): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const item of items) {
    const env = naming.envOf(ctx, listing.nameOf(item));
    if (env === undefined) continue;
    const own = await listing.ownership(item, env);
    if (own.owned || own.markedFor || listing.isBranch(item) || naming.isExplicit(ctx, env) || isAdoptedEnv(ctx, env)) out.push(listing.toResource(item, env, own));
  }
  return out;
}
