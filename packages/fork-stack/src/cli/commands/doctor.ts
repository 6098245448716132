import { doctor } from '../../engine/doctor.js';
import { OperationError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { progressReporter } from '../ui.js';

export async function run(cli: CliContext): Promise<void> {
  const { out } = cli;
  const engine = await cli.engine();
  const reporter = await progressReporter(out, 'checking providers');
  let result;
  try {
    result = await doctor(engine);
  } finally {
    reporter.stop(true);
  }
  await out.result({
    data: result,
    human: (r) => {
      out.line(`${out.co.green('✓')} config ${r.config} is valid`);
      for (const section of r.sections) {
        out.line(`${out.co.bold(section.slot)} (${section.provider})`);
        for (const check of section.checks) {
          const mark = check.status === 'ok' ? out.co.green('✓') : check.status === 'warn' ? out.co.yellow('!') : out.co.red('✗');
          out.line(`  ${mark} ${check.name}: ${check.message}`);
          if (check.fix && check.status !== 'ok') out.line(`      fix: ${check.fix}`);
        }
      }
    },
  });
  if (!result.ok) throw new OperationError('some checks failed', { hint: 'Fix the items marked ✗ above and run "fork-stack doctor" again.' });
}
