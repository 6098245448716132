/**
 * End to end, every language: the real CLI creates and switches environments of a local project (via
 * Makefile.base), and the TypeScript, Python, Go and Rust readers — each a small program run from a
 * subdirectory — report the same environment and values the engine reports. Then, with the env file
 * gone, their naming conventions must still produce the engine's values.
 *
 * The project directory has a space and an "é" in its name, so file: URLs need percent-encoding.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARGO_TARGET_DIR, output, REPO, requireToolchain, run, TEMPLATES, toolchain } from './toolchain.js';

const CLI = path.join(REPO, 'packages', 'fork-stack', 'dist', 'cli.js');
const SECRET = 'it\'s "quoted" $HOME \\ back #hash\nline2 é ${X}';

const python = toolchain('python3', ['--version'], 'install Python 3.9 or newer');
const go = toolchain('go', ['version'], 'apt-get install golang-go');
const cargo = toolchain('cargo', ['--version'], 'install Rust with rustup');
const make = toolchain('make', ['--version'], 'apt-get install make');

const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fork-stack-e2e-')));
const project = path.join(base, 'my app é');
const cwd = path.join(project, 'src', 'handlers');
afterAll(() => rmSync(base, { recursive: true, force: true }));

type Report = Record<string, string | null>;

const PYTHON_PROGRAM = `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.join(TEMPLATES, 'python'))})
import env_utils as e
print(json.dumps({
    "env": e.get_current_env(), "project": e.PROJECT_NAME, "DATABASE_URL": e.get_database_url(),
    "BUCKET_NAME": e.get_bucket_name(), "BUCKET_UPLOADS": e.get_bucket_name("uploads"),
    "local_db_path": str(e.get_local_db_path()), "STRIPE_KEY": e.lookup_secret("STRIPE_KEY"),
}))
`;

const TS_PROGRAM = `
const e = await import(${JSON.stringify(path.join(REPO, 'packages', 'fork-stack', 'dist', 'runtime.js'))});
console.log(JSON.stringify({
  env: e.getCurrentEnv(), project: e.getProjectName(), DATABASE_URL: e.getDatabaseUrl(),
  BUCKET_NAME: e.getBucketName(), BUCKET_UPLOADS: e.getBucketName('uploads'),
  local_db_path: e.getLocalDbPath(), STRIPE_KEY: e.lookupSecret('STRIPE_KEY') ?? null,
}));
`;

const GO_PROGRAM = `package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/fork-stack/fork-stack/templates/base/go/envutils"
)

func main() {
	out := map[string]any{}
	set := func(key, value string, err error) {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out[key] = value
	}
	env, err := envutils.CurrentEnv()
	set("env", env, err)
	project, err := envutils.ProjectName()
	set("project", project, err)
	url, err := envutils.DatabaseURL()
	set("DATABASE_URL", url, err)
	bucket, err := envutils.BucketName("")
	set("BUCKET_NAME", bucket, err)
	uploads, err := envutils.BucketName("uploads")
	set("BUCKET_UPLOADS", uploads, err)
	local, err := envutils.LocalDBPath()
	set("local_db_path", local, err)
	secret, ok, err := envutils.LookupSecret("STRIPE_KEY")
	set("STRIPE_KEY", secret, err)
	if !ok {
		out["STRIPE_KEY"] = nil
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
`;

const RUST_PROGRAM = `fn json(s: &str) -> String {
    let mut out = String::from("\\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\\\\""),
            '\\\\' => out.push_str("\\\\\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn main() -> Result<(), fork_stack_env::Error> {
    use fork_stack_env as e;
    let secret = e::lookup_secret("STRIPE_KEY")?.map_or("null".to_string(), |s| json(&s));
    println!(
        "{{\\"env\\": {}, \\"project\\": {}, \\"DATABASE_URL\\": {}, \\"BUCKET_NAME\\": {}, \\"BUCKET_UPLOADS\\": {}, \\"local_db_path\\": {}, \\"STRIPE_KEY\\": {}}}",
        json(&e::current_env()?),
        json(&e::project_name()?),
        json(&e::database_url()?),
        json(&e::bucket_name(None)?),
        json(&e::bucket_name(Some("uploads"))?),
        json(&e::local_db_path()?),
        secret
    );
    Ok(())
}
`;

interface Reader {
  name: string;
  available: () => boolean;
  /** Compile if needed; returns the command that prints the report. */
  prepare: () => { command: string; args: string[] };
}

const readers: Reader[] = [
  {
    name: 'typescript',
    available: () => true,
    prepare: () => ({ command: process.execPath, args: ['--input-type=module', '-e', TS_PROGRAM] }),
  },
  {
    name: 'python',
    available: () => python.available,
    prepare: () => ({ command: python.command, args: ['-c', PYTHON_PROGRAM] }),
  },
  {
    name: 'go',
    available: () => go.available,
    prepare: () => {
      const dir = path.join(base, 'go-program');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'go.mod'),
        `module readercheck\n\ngo 1.19\n\nrequire github.com/fork-stack/fork-stack/templates/base/go v0.0.0\n\nreplace github.com/fork-stack/fork-stack/templates/base/go => ${path.join(TEMPLATES, 'go')}\n`,
      );
      writeFileSync(path.join(dir, 'main.go'), GO_PROGRAM);
      const build = run(go.command, ['build', '-o', 'readercheck', '.'], dir);
      if (build.status !== 0) throw new Error(`go build failed: ${output(build)}`);
      return { command: path.join(dir, 'readercheck'), args: [] };
    },
  },
  {
    name: 'rust',
    available: () => cargo.available,
    prepare: () => {
      const dir = path.join(base, 'rust-program');
      mkdirSync(path.join(dir, 'src'), { recursive: true });
      writeFileSync(
        path.join(dir, 'Cargo.toml'),
        `[package]\nname = "readercheck"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\nfork-stack-env = { path = ${JSON.stringify(path.join(TEMPLATES, 'rust'))} }\n`,
      );
      writeFileSync(path.join(dir, 'src', 'main.rs'), RUST_PROGRAM);
      const build = run(cargo.command, ['build', '--offline', '--quiet'], dir);
      if (build.status !== 0) throw new Error(`cargo build failed: ${output(build)}`);
      return { command: path.join(CARGO_TARGET_DIR, 'debug', 'readercheck'), args: [] };
    },
  },
];

const prepared = new Map<string, { command: string; args: string[] }>();

function report(reader: Reader, env: Record<string, string> = {}): Report {
  let program = prepared.get(reader.name);
  if (!program) {
    program = reader.prepare();
    prepared.set(reader.name, program);
  }
  const result = run(program.command, program.args, cwd, env);
  if (result.status !== 0) throw new Error(`${reader.name} reader failed: ${output(result)}`);
  return JSON.parse(result.stdout) as Report;
}

function cli(args: string[], input?: string) {
  const result = run(process.execPath, [CLI, ...args], project, { NO_COLOR: '1' }, input);
  if (result.status !== 0) throw new Error(`fork-stack ${args.join(' ')} failed: ${output(result)}`);
  return result.stdout;
}

let engine: Record<string, string>;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build -w fork-stack" (npm test does)`);
  mkdirSync(cwd, { recursive: true });
  cli(['init', '--yes', '--project', 'shop', '--database', 'sqlite', '--storage', 'fs', '--secrets', 'dotenv']);
  writeFileSync(path.join(project, 'Makefile'), `include ${path.join(TEMPLATES, 'python', 'Makefile.base')}\n`);
  if (make.available) {
    const made = run('make', ['-s', 'envs-new', 'alice', `FORK_STACK=${process.execPath} ${CLI}`], project, { NO_COLOR: '1' });
    if (made.status !== 0) throw new Error(`make envs-new alice failed: ${output(made)}`);
  } else {
    cli(['create', 'alice', '--switch']);
  }
  cli(['secrets', 'set', 'STRIPE_KEY', '--env', 'alice'], SECRET);
  engine = JSON.parse(cli(['env', 'alice', '--format', 'json', '--reveal'])) as Record<string, string>;
});

describe('every reader reports what the engine wrote', () => {
  it('the engine wrote what the test expects', () => {
    expect(engine).toMatchObject({ FORK_STACK_ENV: 'alice', STRIPE_KEY: SECRET });
    expect(engine.DATABASE_URL).toBe(`file:${project.replaceAll(' ', '%20').replace('é', '%C3%A9')}/.fork-stack/data/shop.alice.db`);
  });

  for (const reader of readers) {
    it(`${reader.name}: current env, values and the secret from .fork-stack/envs/alice.env`, ({ skip }) => {
      if (reader.name === 'python') requireToolchain(python, skip);
      if (reader.name === 'go') requireToolchain(go, skip);
      if (reader.name === 'rust') requireToolchain(cargo, skip);
      expect(report(reader)).toEqual({
        env: 'alice',
        project: 'shop',
        DATABASE_URL: engine.DATABASE_URL,
        BUCKET_NAME: engine.BUCKET_NAME,
        BUCKET_UPLOADS: engine.BUCKET_UPLOADS,
        local_db_path: path.join(project, '.fork-stack', 'data', 'shop.alice.db'),
        STRIPE_KEY: SECRET,
      });
    });
  }

  it('without the env file, every reader computes the engine\'s values from fork-stack.toml', ({ skip }) => {
    rmSync(path.join(project, '.fork-stack', 'envs', 'alice.env'));
    const expected = {
      env: 'alice',
      project: 'shop',
      DATABASE_URL: engine.DATABASE_URL,
      BUCKET_NAME: engine.BUCKET_NAME,
      BUCKET_UPLOADS: engine.BUCKET_UPLOADS,
      local_db_path: path.join(project, '.fork-stack', 'data', 'shop.alice.db'),
      STRIPE_KEY: null,
    };
    for (const reader of readers.filter((r) => r.available())) expect(report(reader), reader.name).toEqual(expected);
    for (const tool of [python, go, cargo]) requireToolchain(tool, skip);
  });

  it('make envs-switch dev and FORK_STACK_ENV select the environment in every reader', ({ skip }) => {
    requireToolchain(make, skip);
    const switched = run('make', ['-s', 'envs-switch', 'dev', `FORK_STACK=${process.execPath} ${CLI}`], project, { NO_COLOR: '1' });
    expect(switched.status, output(switched)).toBe(0);
    const dev = JSON.parse(cli(['env', 'dev', '--format', 'json', '--reveal'])) as Record<string, string>;
    for (const reader of readers.filter((r) => r.available())) {
      expect(report(reader), reader.name).toMatchObject({ env: 'dev', DATABASE_URL: dev.DATABASE_URL, BUCKET_NAME: dev.BUCKET_NAME });
      expect(report(reader, { FORK_STACK_ENV: 'Alice' }), reader.name).toMatchObject({ env: 'alice', DATABASE_URL: engine.DATABASE_URL });
    }
  });
});
