/**
 * Loading and materialising conformance vectors (conformance/README.md, "Running a case") for the
 * TypeScript runner. The Python, Go and Rust runners implement the same steps in their own languages.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type FileSpec = string | { content?: string; base64?: string; mode?: string; dir?: boolean };

export interface Expectation {
  call: string;
  args?: string[];
  value?: unknown;
  error?: string;
  message_contains?: string[];
  cli?: { exit: number; stderr?: string };
  cli_called?: { args: string[]; stdin: string; cwd: string } | null;
}

export interface VectorCase {
  name: string;
  description?: string;
  env?: Record<string, string>;
  files: Record<string, FileSpec>;
  cwd?: string;
  requires_non_root?: string;
  expect: Expectation[];
}

export interface VectorFile {
  file: string;
  contract: string;
  cases: VectorCase[];
}

export function conformanceDir(): string {
  const fromEnv = process.env.FORK_STACK_CONFORMANCE_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'conformance', 'v1', 'VERSION'))) return path.join(dir, 'conformance');
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('conformance/ not found above this test; set FORK_STACK_CONFORMANCE_DIR');
    dir = parent;
  }
}

export function loadVectors(version = 'v1'): VectorFile[] {
  const dir = path.join(conformanceDir(), version);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const doc = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { contract: string; cases: VectorCase[] };
      return { file: f, contract: doc.contract, cases: doc.cases };
    });
}

export const FAKE_CLI_SCRIPT = `#!/bin/sh
dir=$(dirname "$0")
pwd -P > "$dir/cwd"
: > "$dir/args"
for arg in "$@"; do printf '%s\\n' "$arg" >> "$dir/args"; done
cat > "$dir/stdin"
if [ -f "$dir/stderr" ]; then cat "$dir/stderr" >&2; fi
exit "$(cat "$dir/exit" 2>/dev/null || echo 0)"
`;

export interface Workspace {
  base: string;
  root: string;
  cwd: string;
  fakeCliDir: string;
  env: Record<string, string>;
  sub(text: string): string;
  cleanup(): void;
}

/** Lay out a case's files in a fresh temporary directory. */
export function materialise(vector: VectorCase): Workspace {
  const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fork-stack-conformance-')));
  const root = path.join(base, 'project');
  const fakeCliDir = path.join(base, 'fake-cli');
  mkdirSync(root);
  mkdirSync(fakeCliDir);
  writeFileSync(path.join(fakeCliDir, 'cli.sh'), FAKE_CLI_SCRIPT);
  const sub = (text: string) => text.split('{root}').join(root).split('{fake_cli}').join(`/bin/sh ${fakeCliDir}/cli.sh`);
  const modes: Array<[string, number]> = [];
  for (const [rel, spec] of Object.entries(vector.files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    if (typeof spec === 'string') writeFileSync(file, sub(spec));
    else if (spec.dir) mkdirSync(file, { recursive: true });
    else writeFileSync(file, spec.base64 !== undefined ? Buffer.from(spec.base64, 'base64') : sub(spec.content ?? ''));
    if (typeof spec !== 'string' && spec.mode) modes.push([file, Number.parseInt(spec.mode, 8)]);
  }
  for (const [file, mode] of modes) chmodSync(file, mode);
  const cwd = path.join(root, vector.cwd ?? '.');
  mkdirSync(cwd, { recursive: true });
  const env = Object.fromEntries(Object.entries(vector.env ?? {}).map(([k, v]) => [k, sub(v)]));
  return {
    base,
    root,
    cwd,
    fakeCliDir,
    env,
    sub,
    cleanup() {
      for (const [file] of modes) chmodSync(file, 0o700);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Prepare the fake CLI's answer for a set_secret call, and forget what an earlier call recorded. */
export function armFakeCli(ws: Workspace, cli: Expectation['cli']): void {
  for (const f of ['args', 'stdin', 'cwd', 'exit', 'stderr']) rmSync(path.join(ws.fakeCliDir, f), { force: true });
  writeFileSync(path.join(ws.fakeCliDir, 'exit'), String(cli?.exit ?? 0));
  if (cli?.stderr) writeFileSync(path.join(ws.fakeCliDir, 'stderr'), cli.stderr);
}

/** What the fake CLI recorded, or null when it did not run. */
export function fakeCliCall(ws: Workspace): { args: string[]; stdin: string; cwd: string } | null {
  const argsFile = path.join(ws.fakeCliDir, 'args');
  if (!existsSync(argsFile)) return null;
  const args = readFileSync(argsFile, 'utf8').split('\n').slice(0, -1);
  return { args, stdin: readFileSync(path.join(ws.fakeCliDir, 'stdin'), 'utf8'), cwd: readFileSync(path.join(ws.fakeCliDir, 'cwd'), 'utf8').replace(/\n$/, '') };
}

export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/** Replace {root} in expected values (strings, string maps). */
export function substituteExpected(value: unknown, sub: (s: string) => string): unknown {
  if (typeof value === 'string') return sub(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteExpected(v, sub)]));
  }
  return value;
}
