#!/usr/bin/env node
// npm run release:check — every packaging check of docs/versioning.md, one after the other, then a
// summary: the npm tarballs (contents, install, use), versions and the contract, the Python package in
// a fresh venv, go vet + go test, cargo test + cargo package --list. Exit 1 if any check failed; a
// missing toolchain is a failure too (a release needs every ecosystem checked).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vitest = path.join(repo, 'node_modules', 'vitest', 'vitest.mjs');
const env = { ...process.env, NO_COLOR: '1', CARGO_TARGET_DIR: path.join(os.tmpdir(), 'fork-stack-cargo-target'), PYTHONDONTWRITEBYTECODE: '1' };
delete env.FORK_STACK_ENV;
delete env.ENV;

/** One check: a command (or a function) in a folder, needing a tool. */
const checks = [
  { name: 'build fork-stack (dist/ for --version)', command: ['npm', 'run', 'build', '-w', 'fork-stack'], cwd: '.' },
  { name: 'npm pack both packages, install, use', command: [process.execPath, vitest, 'run', 'test/distribution/npm-pack.test.ts'], cwd: '.' },
  { name: 'versions, changelogs, contract', command: [process.execPath, vitest, 'run', 'test/distribution/versions.test.ts', 'test/distribution/contract.test.ts'], cwd: '.' },
  { name: 'pending changesets name real packages', run: checkChangesets },
  { name: 'python: pip install --no-index in a venv', command: ['python3', '-m', 'unittest', '-v', 'test_install'], cwd: 'templates/base/python', tool: 'python3' },
  { name: 'go vet', command: ['go', 'vet', './...'], cwd: 'templates/base/go', tool: 'go' },
  { name: 'go test', command: ['go', 'test', '-count=1', './...'], cwd: 'templates/base/go', tool: 'go' },
  { name: 'cargo test', command: ['cargo', 'test', '--offline', '--quiet'], cwd: 'templates/base/rust', tool: 'cargo' },
  { name: 'cargo package --list', command: ['cargo', 'package', '--list', '--allow-dirty', '--offline'], cwd: 'templates/base/rust', tool: 'cargo', verify: verifyCrateList },
];

function exec(command, cwd) {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: path.join(repo, cwd), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => resolve({ code: 127, output: `${output}${error.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function onPath(tool) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, tool)));
}

/** Each .changeset/*.md names publishable workspace packages with patch, minor or major. */
async function checkChangesets() {
  const dir = path.join(repo, '.changeset');
  const packages = new Map();
  for (const folder of readdirSync(path.join(repo, 'packages'))) {
    const file = path.join(repo, 'packages', folder, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      packages.set(manifest.name, manifest);
    }
  }
  const problems = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
  for (const file of files) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(path.join(dir, file), 'utf8'))?.[1];
    if (front === undefined) {
      problems.push(`${file}: no front matter (--- "package": patch|minor|major ---)`);
      continue;
    }
    for (const line of front.split('\n').filter((l) => l.trim())) {
      const match = /^\s*["']?([^"':]+)["']?\s*:\s*(patch|minor|major)\s*$/.exec(line);
      if (!match) problems.push(`${file}: "${line}" is not "package": patch|minor|major`);
      else if (!packages.has(match[1])) problems.push(`${file}: no package named ${match[1]}`);
      else if (packages.get(match[1]).private) problems.push(`${file}: ${match[1]} is private and never released`);
    }
  }
  return { code: problems.length ? 1 : 0, output: problems.length ? problems.join('\n') : `${files.length} pending changeset(s)\n` };
}

function verifyCrateList(output) {
  const files = output.trim().split('\n');
  const missing = ['Cargo.toml', 'README.md', 'src/lib.rs', 'src/env_utils.rs'].filter((f) => !files.includes(f));
  const stray = files.filter((f) => f.startsWith('target/'));
  if (missing.length || stray.length) return `missing: ${missing.join(', ') || '-'}; build output packed: ${stray.join(', ') || '-'}`;
  return undefined;
}

// --only <text>: just the checks whose name contains it (e.g. --only cargo).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] ?? '' : '';
const results = [];
for (const check of checks.filter((c) => c.name.includes(only))) {
  const started = Date.now();
  let result;
  if (check.tool && !onPath(check.tool)) result = { code: 127, output: `${check.tool} is not installed\n` };
  else if (check.run) result = await check.run();
  else result = await exec(check.command, check.cwd);
  const problem = result.code === 0 && check.verify ? check.verify(result.output) : undefined;
  const ok = result.code === 0 && problem === undefined;
  const seconds = (Date.now() - started) / 1000;
  results.push({ name: check.name, ok, seconds });
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${check.name} (${seconds.toFixed(1)} s)\n`);
  if (!ok) process.stdout.write(`${(problem ? `${problem}\n` : '') + result.output.split('\n').slice(-40).join('\n')}\n`);
}

const failed = results.filter((r) => !r.ok);
const total = results.reduce((sum, r) => sum + r.seconds, 0);
process.stdout.write(`\nrelease check: ${results.length - failed.length}/${results.length} passed in ${total.toFixed(0)} s\n`);
for (const r of results) process.stdout.write(`  ${r.ok ? '✓' : '✗'} ${r.name.padEnd(44)} ${r.seconds.toFixed(1).padStart(6)} s\n`);
process.exitCode = failed.length ? 1 : 0;
