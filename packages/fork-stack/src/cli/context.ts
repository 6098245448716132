/** What every command gets: the global flags, an Output, and a way to load the project's engine. */
import path from 'node:path';
import type { Engine, Reporter } from '../engine/context.js';
import { contractWarning } from '../core/contract.js';
import { outputFormat } from './formats.js';
import { hookOutput, Output } from './output.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  /** One of OUTPUT_FORMATS (cli/formats.ts). */
  output?: string;
  cwd?: string;
  color?: boolean;
}

export interface CliContext {
  globals: GlobalOptions;
  cwd: string;
  out: Output;
  signal: AbortSignal;
  /** Per-run provider choices travel in the engine's requests (e.g. `CreateOptions.runOptions`), never here. */
  engine(reporter?: Reporter): Promise<Engine>;
}

let contractChecked = false;

/** Once per process, whatever number of times a command loads the project (docs/versioning.md). */
function warnAboutContract(requested: string | undefined, file: string, out: Output): void {
  if (contractChecked) return;
  contractChecked = true;
  const warning = contractWarning(requested, path.basename(file));
  if (warning) out.warn(warning);
}

export function cliContext(globals: GlobalOptions, signal: AbortSignal): CliContext {
  const cwd = path.resolve(globals.cwd ?? process.cwd());
  const out = new Output({ format: outputFormat(globals), color: globals.color });
  return {
    globals,
    cwd,
    out,
    signal,
    async engine(reporter) {
      // Imported here, not at the top: commands that never load a project (current, env) stay fast.
      const [{ loadConfig }, { createEngine }] = await Promise.all([import('../config/load.js'), import('../engine/context.js')]);
      const config = await loadConfig({ cwd, configPath: globals.config });
      warnAboutContract(config.contract, config.file, out);
      // FORK_STACK_NOW pins the clock (ISO time) so expiry and gc can be tested and demonstrated.
      const pinned = process.env.FORK_STACK_NOW ? new Date(process.env.FORK_STACK_NOW) : undefined;
      const now = pinned && !Number.isNaN(pinned.getTime()) ? () => pinned : undefined;
      return createEngine(config, {
        reporter: reporter ?? { slot() {}, warn: (m) => out.warn(m), info: (m) => out.info(m), output: hookOutput(out) },
        signal,
        now,
        env: process.env,
      });
    },
  };
}
