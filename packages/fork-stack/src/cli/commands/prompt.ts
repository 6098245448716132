/**
 * prompt: the current environment for a shell prompt — fast (no provider, no zod, no SDK), loud when
 * the environment is protected (prod, dev by default), and silent outside a fork-stack project.
 *   PS1='$(fork-stack prompt) \$ '
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveEnv } from '../../runtime/resolve.js';
import type { CliContext } from '../context.js';
import type { Flags } from '../program.js';

function protectedEnvs(root: string): string[] {
  try {
    const text = readFileSync(path.join(root, 'fork-stack.toml'), 'utf8');
    // Only the top-level `protected = [...]` line is needed; a full TOML parse is not worth its start-up.
    const line = /^protected\s*=\s*\[([^\]]*)\]/m.exec(text);
    if (!line) return ['prod', 'dev'];
    return [...(line[1] ?? '').matchAll(/["']([^"']+)["']/g)].map((m) => m[1] as string);
  } catch {
    return ['prod', 'dev'];
  }
}

export async function run(cli: CliContext, flags: Flags<'prompt'>): Promise<void> {
  let resolved;
  try {
    resolved = resolveEnv({ cwd: cli.cwd });
  } catch {
    cli.out.line('fork-stack: ?');
    return;
  }
  if (!resolved.root) return;
  const loud = protectedEnvs(resolved.root).includes(resolved.name);
  const text = loud ? `⚠ ${resolved.name.toUpperCase()}` : resolved.name;
  await cli.out.result({ data: { env: resolved.name, protected: loud }, human: () => cli.out.line(loud && flags.color ? `\x1b[1;31m${text}\x1b[0m` : text) });
}
