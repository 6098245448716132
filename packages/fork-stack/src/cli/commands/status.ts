import { currentEnv } from '../../engine/current.js';
import { environmentStatus, type StatusResult } from '../../engine/status.js';
import type { CliContext } from '../context.js';
import { age, type Output } from '../output.js';

export async function run(cli: CliContext, envArg: string | undefined): Promise<void> {
  const engine = await cli.engine();
  const env = envArg ?? currentEnv(engine.config, engine.env);
  const status = await environmentStatus(engine, env);
  await cli.out.result({ data: status, human: (s) => describe(cli.out, s) });
}

function describe(out: Output, status: StatusResult): void {
  const flags = [status.current ? 'current' : '', status.root ? 'root' : '', status.protected ? 'protected' : ''].filter(Boolean);
  out.line(`${out.co.bold(status.name)}  ${status.state}${flags.length ? `  (${flags.join(', ')})` : ''}`);
  out.line(`  parent   ${status.parent ?? '—'}`);
  out.line(`  created  ${status.createdAt ? `${status.createdAt} (${age(status.createdAt)} ago)` : '—'}`);
  if (status.expiresAt) out.line(`  expires  ${status.expiresAt}`);
  for (const [hook, h] of Object.entries(status.hooks ?? {})) {
    out.line(`  hook     ${hook} ${h.state === 'failed' ? out.co.red('failed') : 'succeeded'}${h.failedCommand ? ` at \`${h.failedCommand}\` (exit ${h.exitCode ?? 'none'})` : ''}`);
  }
  out.line('');
  out.table(
    ['RESOURCE', 'PROVIDER', 'NAME', 'STATE', 'DETAILS'],
    status.resources.map((r) => [
      r.slot,
      r.provider,
      r.name,
      r.resource ? r.resource.state : out.co.yellow('missing'),
      r.resource?.details ? Object.entries(r.resource.details).map(([k, v]) => `${k}=${String(v)}`).join(' ') : '',
    ]),
  );
}
