/**
 * Projects for the safety tests: a fork-stack.toml written as given, its root environments created the
 * way `init` creates them (each provider's createEmpty, in-process), root secrets seeded, and the built
 * CLI to run in it.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createEngine } from '../../src/engine/context.js';
import { isSecretsProvider } from '../../src/providers/types.js';
import { runCli, tempDir, type RunOptions, type RunResult } from '../helpers/cli.js';

export interface SafetyProject {
  dir: string;
  run(args: string[], opts?: Partial<RunOptions>): RunResult;
  read(file: string): string | undefined;
  cleanup(): void;
}

export async function safetyProject(
  toml: string,
  roots: Record<string, Record<string, string>>,
  env: Record<string, string | undefined> = {},
): Promise<SafetyProject> {
  const tmp = tempDir('fork-stack-safety-');
  const dir = path.join(tmp.dir, 'app');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'fork-stack.toml'), toml);
  const config = await loadConfig({ cwd: dir });
  const engine = createEngine(config, { env: { ...process.env, ...env } });
  for (const slot of await engine.slots()) {
    for (const [root, secrets] of Object.entries(roots)) {
      if (slot.provider.createEmpty && !(await slot.provider.find(slot.ctx, root))) await slot.provider.createEmpty(slot.ctx, root);
      if (isSecretsProvider(slot.provider) && Object.keys(secrets).length > 0) await slot.provider.write(slot.ctx, root, { set: secrets });
    }
  }
  return {
    dir,
    run: (args, opts = {}) => runCli(args, { cwd: dir, ...opts, env: { ...env, ...opts.env } }),
    read: (file) => {
      try {
        return readFileSync(path.join(dir, file), 'utf8');
      } catch {
        return undefined;
      }
    },
    cleanup: tmp.cleanup,
  };
}

/** Every regular file under `dir` (relative paths), for leak scans. */
export function allFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) return allFiles(full, base);
    return stat.isFile() ? [path.relative(base, full)] : [];
  });
}
