/**
 * Doppler: an environment is a config of the project. Roots are root configs (dev → "dev", prod → "prd"
 * by default); a fork is a branch config under its parent's Doppler environment, named
 * `<environment>_<env with "-" as "_">` (Doppler requires the environment prefix; fork-stack env names
 * have no "_", so the mapping is one-to-one and `list` can reverse it).
 *
 * Inheritance: a branch config always inherits its root config, and Doppler cannot remove an inherited
 * secret from a branch — it can only override it. So a fork from a root config is a new branch config
 * (it sees every root value through inheritance), a fork from a branch config is a clone (its overrides
 * too), and keys the copy policy leaves out are overridden with an empty value in the new config. Later
 * changes to the root config keep flowing into forks, as they do for any Doppler branch config.
 */
import { randomBytes } from 'node:crypto';
import { OperationError, UsageError } from '../../core/errors.js';
import { envNameProblem, isValidEnvName } from '../../core/names.js';
import type { Check, ProviderContext, Resource, SecretsProvider } from '../types.js';
import { DopplerApi, isStatus, type DopplerConfig } from './doppler-api.js';
import { MARKER_KEY, markerValue, parseMarker, type Marker } from './doppler-marker.js';
import { CONFIG_NAME_PATTERN, type DopplerOptions } from './doppler.schema.js';
import { applyPolicy, registered, valuesFromJson, variablesOnly } from './values.js';

type Ctx = ProviderContext<DopplerOptions>;

/** Doppler's default root configs, used for roots and protected environments the config does not name. */
const DEFAULT_CONFIGS: Readonly<Record<string, string>> = { dev: 'dev', prod: 'prd' };
/** Computed by Doppler for every config; not secrets, not settable, and not ours to copy or expose. */
const COMPUTED_KEYS = new Set(['DOPPLER_PROJECT', 'DOPPLER_ENVIRONMENT', 'DOPPLER_CONFIG']);
/** Infix of the name a branch config has until it is marked (see createBranch); never an environment. */
const TEMP_INFIX = '_fstmp_';
/** `<environment>_personal` is Doppler's per-user Personal Config, not an environment of the team. */
const PERSONAL = 'personal';
/** Doppler secret names: upper-case letters, digits and "_", not starting with a digit. */
const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;

function explicitConfig(ctx: Ctx, env: string): string | undefined {
  const named = ctx.options.names[env];
  if (named) return named;
  const adopted = ctx.roots.includes(env) || ctx.protectedEnvs.includes(env);
  return adopted ? DEFAULT_CONFIGS[env] : undefined;
}

/** A config's environment slug, from its name (root configs are named after their environment). */
function environmentOf(config: string): string {
  return config.split('_')[0] ?? config;
}

function branchSuffix(env: string): string {
  return env.replace(/-/g, '_');
}

/** Doppler environments fork-stack looks in: those of the roots and of every named config. */
function environments(ctx: Ctx): string[] {
  const envs = [...ctx.roots, ...ctx.protectedEnvs, ...Object.keys(ctx.options.names)];
  const slugs = envs.flatMap((env) => {
    const config = explicitConfig(ctx, env);
    return config ? [environmentOf(config)] : [];
  });
  return [...new Set(slugs.length > 0 ? slugs : ['dev'])];
}

function candidateNames(ctx: Ctx, env: string): string[] {
  const explicit = explicitConfig(ctx, env);
  return explicit ? [explicit] : environments(ctx).map((e) => `${e}_${branchSuffix(env)}`);
}

const isOurs = (ctx: Ctx, env: string, marker: Marker | undefined) => marker?.project === ctx.project && marker.env === env;

/** A config as a resource: a root config is adopted (never owned); a branch config is ours only by its marker. */
function toResource(ctx: Ctx, env: string, config: DopplerConfig, marker: Marker | undefined): Resource {
  const owned = !config.root && isOurs(ctx, env, marker);
  return {
    env,
    name: config.name,
    createdAt: config.created_at,
    state: 'ready',
    owned,
    ...(!config.root && marker && !owned ? { markedFor: marker } : {}),
    details: { environment: config.environment, root: config.root },
  };
}

async function markerOf(api: DopplerApi, config: DopplerConfig): Promise<Marker | undefined> {
  return config.root ? undefined : parseMarker(await api.getSecret(config.name, MARKER_KEY));
}

function notOurs(ctx: Ctx, env: string, config: DopplerConfig, marker: Marker | undefined, action: string): OperationError {
  const whose = marker ? `it is marked for fork-stack project "${marker.project}", environment "${marker.env}"` : `it carries no ${MARKER_KEY} marker of project "${ctx.project}"`;
  return new OperationError(`refusing to ${action} Doppler config ${config.name} for "${env}": ${whose}; it was left untouched`, {
    hint: `fork-stack only touches branch configs it made for this environment. Delete or rename ${config.name} yourself, or map "${env}" to another config with names = { ${env} = "…" } in [${ctx.slot}].`,
  });
}

/** The config of `env`, looking in every candidate Doppler environment. */
async function locate(api: DopplerApi, ctx: Ctx, env: string): Promise<DopplerConfig | undefined> {
  const names = candidateNames(ctx, env);
  const found = (await Promise.all(names.map((name) => api.getConfig(name)))).filter((c): c is DopplerConfig => c !== undefined);
  if (found.length > 1) {
    throw new OperationError(`environment "${env}" matches several Doppler configs: ${found.map((c) => c.name).join(', ')}`, {
      hint: `Delete the one you do not use, or pin it with names = { ${env} = "${found[0]?.name ?? ''}" } in [secrets].`,
    });
  }
  return found[0];
}

async function missing(api: DopplerApi, ctx: Ctx, env: string): Promise<OperationError> {
  if ((await api.getProject()) === undefined) {
    return new OperationError(`Doppler project "${api.project}" was not found`, {
      hint: 'Set project = "<slug>" in [secrets] (default: the fork-stack project name), or use a token of the workplace that owns it.',
    });
  }
  return new OperationError(`environment "${env}" has no Doppler config in project ${api.project} (looked for ${candidateNames(ctx, env).join(', ')})`, {
    hint: `Create it in Doppler, or name the existing one with names = { ${env} = "…" } in [secrets].`,
  });
}

/** The config's secrets without Doppler's computed DOPPLER_* keys, registered for scrubbing. */
async function secretsOf(api: DopplerApi, config: string): Promise<Record<string, string>> {
  const raw = await api.download(config);
  for (const key of COMPUTED_KEYS) delete raw[key];
  // fork-stack's ownership marker is not a value of the environment: never read, copied or exported.
  delete raw[MARKER_KEY];
  return valuesFromJson(raw, `Doppler config ${config}`);
}

async function existing(api: DopplerApi, ctx: Ctx, env: string): Promise<DopplerConfig> {
  const config = await locate(api, ctx, env);
  if (!config) throw await missing(api, ctx, env);
  return config;
}

/**
 * Make the branch config `name` for `env`, marked. Doppler has no idempotency key and a create retried
 * after a lost answer meets its own config ("already exists") with nothing to prove it is its own. So the
 * config is made under a fresh random name (a conflict there can only be this run's own retry), marked,
 * and only then renamed to `name`: a config that already holds the name is someone else's or, when it
 * carries this project's and environment's marker, another run's (used, reported as adopted).
 */
async function createBranch(api: DopplerApi, ctx: Ctx, env: string, parent: DopplerConfig, name: string): Promise<{ config: DopplerConfig; adopted: boolean }> {
  const temp = `${parent.environment}${TEMP_INFIX}${randomBytes(6).toString('hex')}`;
  const discard = () =>
    api.deleteConfig(temp).catch((cleanup: unknown) => {
      ctx.warn(`the temporary Doppler config ${temp} could not be deleted (${(cleanup as Error).message}); delete it yourself`);
      return false;
    });
  try {
    // Doppler's clone copies a branch config; a root config's values reach a new branch by inheritance.
    if (parent.root) await api.createConfig(parent.environment, temp);
    else await api.cloneConfig(parent.name, temp);
  } catch (error) {
    // The random name is proof: a config under it is this run's own (a retry whose first try went through).
    const made = await api.getConfig(temp).catch(() => undefined);
    if (!(isStatus(error, 400, 409, 422) && made)) {
      if (made) await discard();
      throw error;
    }
  }
  try {
    // A clone carries its parent's marker until this write replaces it.
    await api.setSecrets(temp, { [MARKER_KEY]: markerValue(ctx.project, env) });
  } catch (error) {
    await discard();
    throw error;
  }
  try {
    return { config: await api.renameConfig(temp, name), adopted: false };
  } catch (error) {
    if (!isStatus(error, 400, 404, 409, 422)) throw error;
    // Taken: another run's config of this environment, or someone else's. Or (404) this run's own rename
    // went through and its answer was lost.
    const [final, left] = await Promise.all([api.getConfig(name), api.getConfig(temp)]);
    if (left) await discard();
    const marker = final && (await markerOf(api, final));
    if (final && isOurs(ctx, env, marker)) return { config: final, adopted: left !== undefined };
    if (final) throw notOurs(ctx, env, final, marker, 'create');
    throw error;
  }
}

function assertSecretNames(env: string, keys: string[]): void {
  if (keys.includes(MARKER_KEY)) {
    throw new UsageError(`${MARKER_KEY} is fork-stack's ownership marker of Doppler branch configs, not a secret of "${env}"`, { hint: 'Choose another name.' });
  }
  const bad = keys.filter((k) => !SECRET_NAME.test(k));
  if (bad.length > 0) {
    throw new UsageError(`Doppler secret names are upper-case letters, digits and "_": ${bad.map((k) => JSON.stringify(k)).join(', ')} (environment "${env}")`, {
      hint: `Use e.g. ${bad[0]?.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}.`,
    });
  }
}

export const provider = {
  kind: 'secrets',
  name: 'doppler',
  publicVariables: [],

  resourceName: (ctx, env) => candidateNames(ctx, env)[0] as string,

  checkName(ctx, env) {
    const problem = envNameProblem(env);
    if (problem) return `invalid environment name: ${problem}`;
    if (env === PERSONAL && !explicitConfig(ctx, env)) return 'Doppler reserves <environment>_personal for each user\'s Personal Config; choose another name';
    const bad = candidateNames(ctx, env).find((n) => !CONFIG_NAME_PATTERN.test(n));
    return bad ? `Doppler config name ${bad} may only use lower-case letters, digits, "_" and "-"` : undefined;
  },

  async find(ctx, env) {
    const api = new DopplerApi(ctx);
    const config = await locate(api, ctx, env);
    return config ? toResource(ctx, env, config, await markerOf(api, config)) : undefined;
  },

  async fork(ctx, { env, parent, keep }) {
    const api = new DopplerApi(ctx);
    const parentConfig = await locate(api, ctx, parent);
    if (!parentConfig) throw await missing(api, ctx, parent);
    // Read (and so registered for scrubbing) before the first write: Doppler answers a write with every
    // value of the config, which an error may quote.
    const { kept, dropped } = applyPolicy(await secretsOf(api, parentConfig.name), keep);
    let child = await locate(api, ctx, env);
    let adopted = false;
    if (child?.root) {
      throw new OperationError(`"${env}" maps to the root config ${child.name}, which is never forked into`, {
        hint: `Remove ${env} from names in [secrets], or choose another environment name.`,
      });
    }
    if (child) {
      // Finishing our own interrupted create is fine; anyone else's config is never forked over.
      const marker = await markerOf(api, child);
      if (!isOurs(ctx, env, marker)) throw notOurs(ctx, env, child, marker, 'fork over');
    } else {
      const name = explicitConfig(ctx, env) ?? `${parentConfig.environment}_${branchSuffix(env)}`;
      if (!name.startsWith(`${parentConfig.environment}_`)) {
        throw new UsageError(`Doppler config ${name} for "${env}" would not be a branch of ${parentConfig.environment}, the environment of its parent ${parentConfig.name}`, {
          hint: `Branch config names start with "${parentConfig.environment}_"; fix names.${env} in [secrets].`,
        });
      }
      const made = await createBranch(api, ctx, env, parentConfig, name);
      child = made.config;
      adopted = made.adopted;
    }
    // Inherited and cloned values cannot be deleted from a branch: excluded keys get an empty override.
    if (dropped.length > 0) await api.setSecrets(child.name, Object.fromEntries(dropped.map((key) => [key, ''])));
    return {
      ...toResource(ctx, env, child, { project: ctx.project, env }),
      parent,
      ...(adopted ? { adopted } : {}),
      details: { environment: child.environment, keys: Object.keys(kept).length, excluded: dropped.length },
    };
  },

  async remove(ctx, { env }) {
    const api = new DopplerApi(ctx);
    const config = await locate(api, ctx, env);
    if (!config) return;
    if (config.root || ctx.roots.includes(env)) {
      throw new OperationError(`refusing to delete Doppler config ${config.name}: it is a root config`, { hint: 'fork-stack only deletes the branch configs of forks.' });
    }
    const marker = await markerOf(api, config);
    if (!isOurs(ctx, env, marker)) throw notOurs(ctx, env, config, marker, 'delete');
    try {
      await api.deleteConfig(config.name);
    } catch (error) {
      if (isStatus(error, 400, 403, 409) && /lock/i.test(error.message)) {
        throw new OperationError(`Doppler config ${config.name} is locked and cannot be deleted`, {
          hint: `Unlock it first (doppler configs unlock ${config.name} --project ${api.project}), or keep it with keep_on_delete = true in [secrets].`,
        });
      }
      throw error;
    }
  },

  async list(ctx) {
    const api = new DopplerApi(ctx);
    const searched = new Set(environments(ctx));
    const claimed = new Map<string, string>();
    for (const env of [...ctx.roots, ...ctx.protectedEnvs, ...Object.keys(ctx.options.names)]) {
      const config = explicitConfig(ctx, env);
      if (config) claimed.set(config, env);
    }
    const claimedEnvs = new Set(claimed.values());
    const seen = new Map<string, Resource>();
    const all = await api.listConfigs();
    for (const config of all) {
      let env = claimed.get(config.name);
      if (env === undefined && !config.root && searched.has(config.environment) && config.name.startsWith(`${config.environment}_`) && !config.name.startsWith(`${config.environment}${TEMP_INFIX}`)) {
        const candidate = config.name.slice(config.environment.length + 1).replace(/_/g, '-');
        if (isValidEnvName(candidate) && candidate !== PERSONAL && !claimedEnvs.has(candidate)) env = candidate;
      }
      if (env === undefined) continue;
      const other = seen.get(env);
      if (other) {
        ctx.warn(`environment "${env}" matches several Doppler configs: ${other.name}, ${config.name}; listing ${other.name}`);
        continue;
      }
      seen.set(env, { ...toResource(ctx, env, config, undefined), owned: false });
    }
    // One marker read per branch config (Doppler has no per-config label to list them with).
    const configs = new Map(all.map((c) => [c.name, c]));
    const out: Resource[] = [];
    for (const resource of seen.values()) {
      const config = configs.get(resource.name);
      out.push(config && !config.root ? toResource(ctx, resource.env, config, await markerOf(api, config)) : resource);
    }
    return out;
  },

  async variables(ctx, env) {
    const api = new DopplerApi(ctx);
    const config = await existing(api, ctx, env);
    return variablesOnly(ctx, env, `Doppler config ${config.name}`, await secretsOf(api, config.name));
  },

  async read(ctx, env) {
    const api = new DopplerApi(ctx);
    return secretsOf(api, (await existing(api, ctx, env)).name);
  },

  async write(ctx, env, { set = {}, unset = [] }) {
    assertSecretNames(env, [...Object.keys(set), ...unset]);
    registered(set);
    const api = new DopplerApi(ctx);
    const config = await existing(api, ctx, env);
    // Doppler answers a write with every value of the config: read them first, so that an error quoting
    // that answer is scrubbed like everything else.
    await secretsOf(api, config.name);
    const references = Object.entries(set).filter(([, value]) => value.includes('${'));
    if (references.length > 0) {
      ctx.warn(`${references.map(([k]) => k).join(', ')}: Doppler reads \${…} in a value as a reference to another secret, so the value it returns may differ from what was set`);
    }
    if (Object.keys(set).length > 0) await api.setSecrets(config.name, set);
    if (unset.length === 0) return;
    // In a branch config, a key its root config also has cannot disappear: deleting the override would
    // bring the root's value back. Such keys are overridden with an empty value instead.
    const inherited = config.root ? {} : await secretsOf(api, config.environment);
    const overridden = unset.filter((k) => k in inherited);
    const deleted = unset.filter((k) => !(k in inherited));
    if (deleted.length > 0) await api.deleteSecrets(config.name, deleted);
    if (overridden.length > 0) {
      await api.setSecrets(config.name, Object.fromEntries(overridden.map((k) => [k, ''])));
      ctx.warn(`${overridden.join(', ')}: inherited from the root config ${config.environment}, so ${config.name} now overrides ${overridden.length === 1 ? 'it' : 'them'} with an empty value (Doppler cannot remove an inherited secret from a branch config)`);
    }
  },

  async check(ctx): Promise<Check[]> {
    let api: DopplerApi;
    try {
      api = new DopplerApi(ctx);
    } catch (error) {
      const e = error as UsageError;
      return [{ name: 'credentials', status: 'fail', message: e.message, fix: e.hint }];
    }
    const checks: Check[] = [];
    try {
      const me = await api.me();
      const who = [me.type && `${me.type} token`, me.workplace?.name && `workplace ${me.workplace.name}`].filter(Boolean).join(', ');
      checks.push(
        me.type === 'service'
          ? {
              name: 'credentials',
              status: 'fail',
              message: 'DOPPLER_TOKEN is a service token, which can only read one config',
              fix: 'Use a personal or service-account token with write access to the project (fork-stack creates and deletes branch configs).',
            }
          : { name: 'credentials', status: 'ok', message: `DOPPLER_TOKEN accepted${who ? ` (${who})` : ''}` },
      );
    } catch (error) {
      if (isStatus(error, 401)) {
        return [{ name: 'credentials', status: 'fail', message: 'Doppler rejected DOPPLER_TOKEN (401): it is wrong, revoked or expired', fix: 'Create a new token in the Doppler dashboard and export DOPPLER_TOKEN=…' }];
      }
      if (isStatus(error, 403)) {
        return [{ name: 'credentials', status: 'fail', message: 'Doppler accepted DOPPLER_TOKEN but refused to describe it (403)', fix: 'Use a personal or service-account token.' }];
      }
      return [{ name: 'reachability', status: 'fail', message: (error as Error).message, fix: 'Check the network, or FORK_STACK_DOPPLER_API_URL if you set it.' }];
    }
    try {
      const project = await api.getProject();
      checks.push(
        project
          ? { name: 'project', status: 'ok', message: `project ${api.project} exists` }
          : { name: 'project', status: 'fail', message: `project ${api.project} was not found`, fix: 'Set project = "<slug>" in [secrets], or use a token of the workplace that owns it.' },
      );
    } catch (error) {
      checks.push(
        isStatus(error, 403)
          ? { name: 'project', status: 'fail', message: `the token has no access to project ${api.project} (403)`, fix: 'Give the token (or its service account) write access to the project.' }
          : { name: 'project', status: 'fail', message: (error as Error).message },
      );
    }
    return checks;
  },
} satisfies SecretsProvider<DopplerOptions>;
