/**
 * End-to-end helpers for the cloud secrets providers: a project with a [secrets] section (and optionally
 * the local database/storage) whose roots exist in the fake, and the built CLI run asynchronously (the
 * fake answers from this test process, so a synchronous spawn would block it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createEngine } from '../../src/engine/context.js';
import { CLI, runCliAsync, tempDir, type RunResult } from '../helpers/cli.js';

export interface SecretsCliProject {
  dir: string;
  run(args: string[], env?: Record<string, string | undefined>, input?: string): Promise<RunResult>;
  read(file: string): string | undefined;
  cleanup(): void;
}

/**
 * `secrets` is the body of [secrets] (provider line included); `local` adds the local sqlite database
 * and fs bucket, whose roots are created here the way `init` does.
 */
export async function secretsCliProject(
  secrets: string,
  fakeEnv: Record<string, string>,
  opts: { project?: string; roots?: string[]; defaultParent?: string; local?: boolean } = {},
): Promise<SecretsCliProject> {
  if (!existsSync(CLI)) throw new Error(`the CLI is not built (${CLI}); run "npm run build -w fork-stack"`);
  const project = opts.project ?? 'myapp';
  const roots = opts.roots ?? ['dev'];
  const tmp = tempDir('fork-stack-secrets-cli-');
  const dir = path.join(tmp.dir, project);
  mkdirSync(dir, { recursive: true });
  const local = opts.local ? '[database]\nprovider = "sqlite"\n\n[storage.uploads]\nprovider = "fs"\n\n' : '';
  writeFileSync(
    path.join(dir, 'fork-stack.toml'),
    `project = "${project}"\ndefault_parent = "${opts.defaultParent ?? roots[0]}"\nroots = ${JSON.stringify(roots)}\nprotected = ["prod", "dev"]\n\n${local}[secrets]\n${secrets}\n`,
  );
  if (opts.local) {
    const engine = createEngine(await loadConfig({ cwd: dir }), { env: { ...process.env, ...fakeEnv } });
    for (const slot of await engine.slots()) {
      if (slot.config.kind === 'secrets' || !slot.provider.createEmpty) continue;
      for (const root of roots) await slot.provider.createEmpty(slot.ctx, root);
    }
  }
  return {
    dir,
    run: (args, env = {}, input) => runCliAsync(args, { cwd: dir, env: { ...fakeEnv, ...env }, input, timeoutMs: 60_000 }),
    read: (file) => {
      const full = path.join(dir, file);
      return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
    },
    cleanup: tmp.cleanup,
  };
}
