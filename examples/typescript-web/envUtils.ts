/**
 * fork-stack reader for TypeScript apps: which environment am I in, and what are its values?
 *
 * This file re-exports `fork-stack/runtime` (zero dependencies, ESM and CommonJS), which implements the
 * fork-stack reader contract v1 exactly as the Python, Go and Rust readers do:
 *   - the environment: FORK_STACK_ENV, else ENV (production → prod, development → dev), else
 *     .current-env in the project root, else "dev";
 *   - a value: the process environment, else .fork-stack/envs/<env>.env (written by
 *     `fork-stack switch`), else the naming convention of fork-stack.toml.
 *
 *   import { getDatabaseUrl, getBucketName, getSecret } from './envUtils';
 *
 * Every function takes optional `{ cwd, env }` overrides. To change one accessor for your stack,
 * extend EnvConfig and install it with setDefaultEnvConfig (see README.md).
 */
export * from 'fork-stack/runtime';
