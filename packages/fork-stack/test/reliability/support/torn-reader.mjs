/**
 * A reader for the concurrency suite, run as its own process: reads `.current-env` and `.env.local` of a
 * project in a tight loop until `<dir>/.stop-readers` appears, and checks that every read is a whole file
 * naming a whole environment — never empty, never a mix of two writes:
 *  - `.current-env` is exactly "<env>\n" for a known environment;
 *  - `.env.local` keeps the user's own lines before and after the block, holds exactly one managed block
 *    (begin and end markers), parses, and its header, FORK_STACK_ENV, DATABASE_URL and BUCKET_NAME all
 *    name the same environment.
 * Prints one JSON line: { reads, torn, examples }.
 *
 *   node torn-reader.mjs <project dir> <env,env,…>
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';

const [dir, envList] = process.argv.slice(2);
const envs = new Set(envList.split(','));
const BEGIN = '# >>> fork-stack managed block: do not edit, `fork-stack switch` rewrites it >>>';
const END = '# <<< fork-stack managed block <<<';
const USER_BEFORE = 'USER_OWN=kept-before\n';
const USER_AFTER = '# user comment after the block\nUSER_AFTER=kept-after\n';

function checkCurrent(text) {
  if (!text.endsWith('\n') || !envs.has(text.slice(0, -1))) return `.current-env is ${JSON.stringify(text)}`;
  return undefined;
}

function checkEnvLocal(text) {
  if (!text.startsWith(USER_BEFORE)) return `.env.local lost its first user line: ${JSON.stringify(text.slice(0, 60))}`;
  if (!text.endsWith(USER_AFTER)) return `.env.local lost its last user lines: ${JSON.stringify(text.slice(-60))}`;
  if (text.split(BEGIN).length !== 2 || text.split(END).length !== 2) return '.env.local does not hold exactly one managed block';
  const values = parse(text);
  const env = values.FORK_STACK_ENV;
  if (!envs.has(env)) return `.env.local names environment ${JSON.stringify(env)}`;
  if (!text.includes(`# environment: ${env}\n`)) return `.env.local header does not name ${env}`;
  if (!values.DATABASE_URL?.endsWith(`/app.${env}.db`)) return `.env.local mixes ${env} with DATABASE_URL ${values.DATABASE_URL}`;
  if (!values.BUCKET_NAME?.endsWith(`/app-bucket-${env}`)) return `.env.local mixes ${env} with BUCKET_NAME ${values.BUCKET_NAME}`;
  if (values.USER_OWN !== 'kept-before' || values.USER_AFTER !== 'kept-after') return '.env.local user values changed';
  return undefined;
}

let reads = 0;
let torn = 0;
const examples = [];
const stop = path.join(dir, '.stop-readers');
while (!existsSync(stop)) {
  for (const [file, check] of [
    ['.current-env', checkCurrent],
    ['.env.local', checkEnvLocal],
  ]) {
    let problem;
    try {
      problem = check(readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      problem = `${file}: ${error.code ?? error.message}`;
    }
    reads++;
    if (problem) {
      torn++;
      if (examples.length < 5) examples.push(problem);
    }
  }
}
process.stdout.write(`${JSON.stringify({ reads, torn, examples })}\n`);
