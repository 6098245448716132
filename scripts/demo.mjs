#!/usr/bin/env node
/**
 * npm run demo — the main job on the embedded local stack, step by step, in a throwaway project:
 * put data in dev (rows, files, a secret), fork alice from dev, change alice, show dev untouched,
 * list, delete alice. Every step prints the command it runs and what it shows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(repo, 'packages/fork-stack/dist/cli.js');
const require = createRequire(path.join(repo, 'packages/fork-stack/package.json'));
const { createClient } = await import(require.resolve('@libsql/client'));

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s) => (color ? `\x1b[2m${s}\x1b[22m` : s);
const keep = process.argv.includes('--keep');

const parent = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-demo-'));
const dir = path.join(parent, 'shop');
mkdirSync(dir);
let step = 0;

function title(text) {
  console.log(`\n${bold(`${++step}. ${text}`)}`);
}

function fork(args, { input } = {}) {
  console.log(dim(`$ fork-stack ${args.join(' ')}`));
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', input: input ?? '', env: { ...process.env, FORK_STACK_ENV: undefined, ENV: undefined, NO_COLOR: '1' } });
  const out = `${result.stdout}${result.stderr}`.trimEnd();
  if (out) console.log(out.replace(/^/gm, '  '));
  if (result.status !== 0) {
    console.error(`\nstep failed (exit ${result.status}); the project is kept in ${dir}`);
    process.exit(1);
  }
  return result.stdout;
}

function vars(env) {
  const spawned = spawnSync(process.execPath, [cli, 'env', env, '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  return JSON.parse(spawned.stdout);
}

async function sql(env, statement) {
  const client = createClient({ url: vars(env).DATABASE_URL });
  try {
    return await client.execute(statement);
  } finally {
    client.close();
  }
}

async function show(env) {
  const v = vars(env);
  const rows = (await sql(env, 'SELECT id, name, price FROM products ORDER BY id')).rows.map((r) => `${r.id}:${r.name}@${r.price}`);
  const files = readdirSync(v.BUCKET_NAME).sort();
  console.log(`  ${bold(env.padEnd(5))} products [${rows.join(', ')}]  files [${files.join(', ')}]`);
}

try {
  console.log(bold('fork-stack demo: an isolated copy of the whole local stack, in seconds'));
  console.log(dim(`(throwaway project in ${dir})`));

  title('init: the local stack (SQLite database, a directory bucket, dotenv secrets) with root environment dev');
  fork(['init', '--project', 'shop']);
  console.log(readFileSync(path.join(dir, 'fork-stack.toml'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => `  | ${l}`).join('\n'));

  title('put data in dev: rows, files and a secret');
  await sql('dev', 'CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price INTEGER)');
  await sql('dev', "INSERT INTO products (name, price) VALUES ('kettle', 30), ('teapot', 25)");
  const devBucket = vars('dev').BUCKET_NAME;
  writeFileSync(path.join(devBucket, 'kettle.jpg'), 'jpeg bytes');
  writeFileSync(path.join(devBucket, 'teapot.jpg'), 'jpeg bytes');
  fork(['secrets', 'set', 'STRIPE_KEY', '--env', 'dev'], { input: 'sk_test_dev_4242' });
  await show('dev');

  title('create alice from dev: every resource forked in parallel');
  fork(['create', 'alice', '--switch']);

  title("the app runs with alice's variables");
  writeFileSync(
    path.join(dir, 'app.mjs'),
    "const { FORK_STACK_ENV, DATABASE_URL, BUCKET_NAME, STRIPE_KEY } = process.env;\n" +
      "console.log(`env=${FORK_STACK_ENV} db=${DATABASE_URL.split('/').pop()} bucket=${BUCKET_NAME.split('/').pop()} stripe=${STRIPE_KEY.slice(0, 8)}…`);\n",
  );
  fork(['run', '--', 'node', 'app.mjs']);
  fork(['env']);

  title('change alice: new rows, a deleted file, a new secret');
  await sql('alice', "INSERT INTO products (name, price) VALUES ('mug', 9)");
  await sql('alice', "UPDATE products SET price = 99 WHERE name = 'kettle'");
  const aliceBucket = vars('alice').BUCKET_NAME;
  rmSync(path.join(aliceBucket, 'teapot.jpg'));
  writeFileSync(path.join(aliceBucket, 'mug.jpg'), 'jpeg bytes');
  fork(['secrets', 'set', 'FEATURE_FLAG', 'on']);

  title('dev is untouched');
  await show('dev');
  await show('alice');
  fork(['secrets', 'list', '--env', 'dev']);

  title('list: every environment, its state, parent and age');
  fork(['list']);

  title('delete alice (the current environment switches back to dev)');
  fork(['delete', 'alice', '--yes']);
  fork(['list']);
  fork(['current']);

  console.log(`\n${bold('done.')} Try it in your own project: npx fork-stack init`);
} finally {
  if (!keep) rmSync(parent, { recursive: true, force: true });
  else console.log(dim(`kept ${dir}`));
}
