/**
 * What a provider published as its own npm package declares, so that fork-stack can check it before it
 * runs it (docs/contributing/add-backend.md, "Out of tree"). A package built on @fork-stack/provider-kit
 * exports two modules in the shape of a built-in provider's: `<package>/schema` (a ProviderSchemaModule
 * plus the kind and the provider API it was built for, made by `defineProviderSchema`) and
 * `<package>/provider` (a ProviderModule). The config names it `provider = "npm:<package>"`.
 */
import type { Kind, ProviderSchemaModule } from './types.js';

/**
 * The version of the provider interface (types.ts) and of the contract suite a package is tested with.
 * Bumped on any change an existing package cannot survive (a renamed method, a new required one);
 * @fork-stack/provider-kit's major version moves with it. fork-stack loads packages built for exactly
 * this version and says which side to upgrade otherwise.
 */
export const PROVIDER_API_VERSION = 1;

/** `provider = "npm:<package>"`: the prefix can never be a built-in name (those are [a-z0-9-]). */
export const PACKAGE_PREFIX = 'npm:';

/** The schema module of a provider package: a built-in's schema module plus what fork-stack checks. */
export interface PackageSchemaModule extends ProviderSchemaModule {
  /** The kind of section the provider serves: a package under the wrong section is refused. */
  kind: Kind;
  /** PROVIDER_API_VERSION of the kit the package was built with. */
  providerApi: number;
}

/** A package's schema module, stamped with the provider API of the kit it is built with. */
export function defineProviderSchema(module: Omit<PackageSchemaModule, 'providerApi'>): PackageSchemaModule {
  return { ...module, providerApi: PROVIDER_API_VERSION };
}
