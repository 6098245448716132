#!/usr/bin/env node
/** Entry point of `npm create fork-stack` / `npx create-fork-stack`: the only place that exits. */
import { main } from './main.js';

const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !isCi(process.env);

function isCi(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI && env.CI !== 'false' && env.CI !== '0');
}

const code = await main(process.argv.slice(2), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, interactive });
// Exit once stdout and stderr have drained (pipes are asynchronous); an SDK timer must not keep us alive.
process.exitCode = code;
let pending = 2;
const done = () => {
  if (--pending === 0) process.exit(code);
};
process.stdout.write('', done);
process.stderr.write('', done);
