import { listEnvironments, type ListResult } from '../../engine/list.js';
import { OperationError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { age, type Output } from '../output.js';

export async function run(cli: CliContext): Promise<void> {
  const engine = await cli.engine();
  const result = await listEnvironments(engine);
  const slots = engine.config.slots.map((s) => s.id);
  await cli.out.result({ data: result, human: (r) => table(cli.out, slots, r) });
  if (result.errors.length > 0) {
    throw new OperationError('some providers could not be listed; their columns show "?"', { details: result.errors.map((e) => e.message) });
  }
}

function table(out: Output, slots: string[], result: ListResult): void {
  const rows = result.environments.map((e) => {
    const name = `${e.current ? '* ' : '  '}${e.name}`;
    const state = e.state === 'ready' ? out.co.green(e.state) : out.co.yellow(e.state);
    const flags = [e.root ? 'root' : '', e.protected ? 'protected' : ''].filter(Boolean).join(',');
    const resources = slots.map((s) => `${s} ${e.resources[s] ? '✓' : result.errors.some((x) => x.slot === s) ? '?' : '✗'}`).join('  ');
    return [name, state, e.parent ?? '—', age(e.createdAt), flags || '—', resources];
  });
  if (rows.length === 0) out.info('no environments yet: run "fork-stack init" (local stack) or "fork-stack create <env>"');
  else out.table(['  ENV', 'STATE', 'PARENT', 'AGE', 'FLAGS', 'RESOURCES'], rows);
}
