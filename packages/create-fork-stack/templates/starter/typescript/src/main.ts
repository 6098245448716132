/**
 * The example app: which environment is it in, and what are that environment's values?
 *
 *   make run                         # the current environment (.current-env, set by make envs-switch)
 *   FORK_STACK_ENV=alice make run    # another environment, without switching
 */
import { describe } from './app.js';
import { ForkStackRuntimeError } from './envUtils.js';

try {
  const lines = describe();
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  for (const [label, value] of lines) console.log(`${`${label}:`.padEnd(width)} ${value ?? '(not set)'}`);
} catch (error) {
  if (!(error instanceof ForkStackRuntimeError)) throw error;
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
}
