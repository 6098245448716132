/**
 * Every shell block marked `runnable` in the docs and the README runs here, against the embedded local
 * stack, exactly as a reader would type it: in a fresh project directory `myapp`, with the built CLI
 * installed there as a dev dependency (so `npx fork-stack` works, offline) and on PATH as `fork-stack`
 * and `forks`; `$FORK_STACK_CHECKOUT` is this repository, as for a reader who cloned it to install
 * fork-stack. The blocks of one page run in order in the same project, like a tutorial. A block's
 * `json output` companion must match the shape of what it printed (see blocks.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnableBlocks, shapeDifferences, type RunnableBlock } from './blocks.js';
import { CLI, docsEnvironment, newProject, REPO } from './project.js';

function markdownFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.md')) files.push(full);
    }
  };
  walk(path.join(REPO, 'docs'));
  for (const top of ['README.md', 'CONTRIBUTING.md']) if (existsSync(path.join(REPO, top))) files.push(path.join(REPO, top));
  return files.sort();
}

/** Tools a block needs (`needs=go,cargo`) that are not installed: skipped here, a failure in CI. */
function missingTools(block: RunnableBlock): string[] {
  return block.needs.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
}

function label(block: RunnableBlock): string {
  const first = block.body.split('\n').find((l) => l.trim() && !l.trim().startsWith('#')) ?? '';
  return `${path.relative(REPO, block.file)}:${block.line} ${first.trim().slice(0, 60)}`;
}

const pages = markdownFiles()
  .map((file) => ({ file, blocks: runnableBlocks(file) }))
  .filter((p) => p.blocks.length > 0);

describe('runnable blocks in the docs', () => {
  it('finds runnable blocks (the docs must keep showing commands that are checked)', () => {
    expect(existsSync(CLI), `build the CLI first: npm run build -w fork-stack (${CLI})`).toBe(true);
    expect(pages.length).toBeGreaterThan(0);
  });

  for (const page of pages) {
    describe(path.relative(REPO, page.file), () => {
      let parent: string;
      let project: string;
      let env: NodeJS.ProcessEnv;
      let broken: string | undefined;
      let skipped: string | undefined;

      beforeAll(() => {
        parent = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-docs-'));
        env = docsEnvironment(parent);
        project = newProject(parent);
      });
      afterAll(() => {
        rmSync(parent, { recursive: true, force: true });
      });

      for (const block of page.blocks) {
        it(label(block), ({ skip }) => {
          // Blocks build on each other: after a failure the rest of the page would only fail for it.
          if (skipped) skip(`an earlier block of this page was skipped (${skipped})`);
          if (broken) throw new Error(`not run: an earlier block of this page failed (${broken})`);
          const missing = missingTools(block);
          if (missing.length > 0) {
            if (process.env.CI === 'true') throw new Error(`${missing.join(', ')} not installed; CI needs every toolchain the docs use`);
            skipped = `${path.basename(block.file)}:${block.line} needs ${missing.join(', ')}`;
            skip(`${missing.join(', ')} not installed (a failure when CI=true)`);
          }
          if (block.fresh) project = newProject(parent);
          const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', block.body], {
            cwd: project,
            env,
            encoding: 'utf8',
            input: '',
            timeout: 90_000,
          });
          const transcript = `$ (in ${project})\n${block.body}\n--- exit ${String(result.status)}${result.signal ? ` (${result.signal})` : ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
          try {
            expect(result.status, transcript).toBe(block.expectExit);
            if (block.output) {
              let actual: unknown;
              try {
                actual = JSON.parse(result.stdout);
              } catch {
                throw new Error(`stdout is not JSON, but the docs show a json output block at line ${block.output.line}\n${transcript}`);
              }
              const documented = JSON.parse(block.output.body) as never;
              expect(shapeDifferences(documented, actual as never), `documented output (line ${block.output.line}) vs real output\n${result.stdout}`).toEqual([]);
            }
          } catch (error) {
            broken = `${path.basename(block.file)}:${block.line}`;
            throw error;
          }
        });
      }
    });
  }
});
