/**
 * The CI workflow templates in docs/ci/: valid YAML with the structure GitHub Actions and GitLab CI
 * require, the copies shown in docs/ci/index.md identical to the files, and their fork-stack steps
 * really working: each template's fork-stack commands are played, in the order the CI system would
 * run them, against a local-stack project — the GitHub steps through the Action's script with the
 * `with:` inputs (expressions evaluated from a fake event), the GitLab steps in bash with the job's
 * variables — and must leave no environment behind.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { fences } from './blocks.js';
import { CLI, docsEnvironment, newProject, REPO } from './project.js';
import { linkDependencies, SCAFFOLDER } from '../../packages/create-fork-stack/test/helpers.js';

const CI_DIR = path.join(REPO, 'docs', 'ci');
const ACTION_SCRIPT = path.join(REPO, 'action', 'run.mjs');

type Json = Record<string, unknown>;
interface Step { uses?: string; run?: string; if?: string; with?: Record<string, string>; name?: string }
interface GithubJob { 'runs-on': string; steps: Step[]; if?: string; env?: Record<string, string>; strategy?: { matrix: Record<string, unknown[]> } }
interface Workflow { name: string; on: unknown; env?: Record<string, string>; jobs: Record<string, GithubJob> }
interface GitlabJob { script?: string[]; before_script?: string[]; after_script?: string[]; variables?: Record<string, string>; extends?: string; parallel?: number; environment?: Json; stage?: string }

const templates = (dir: string) => readdirSync(path.join(CI_DIR, dir)).filter((f) => f.endsWith('.yml')).sort();

function load(file: string): unknown {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('\n')}`);
  return doc.toJS();
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', command], { cwd, env, encoding: 'utf8', input: '' });
  return { ...result, transcript: `$ ${command}\n--- exit ${String(result.status)}\n${result.stdout}\n${result.stderr}` };
}

function environments(project: string, env: NodeJS.ProcessEnv): string[] {
  const list = spawnSync(process.execPath, [CLI, 'list', '--json'], { cwd: project, env, encoding: 'utf8' });
  return (JSON.parse(list.stdout) as { environments: { name: string }[] }).environments.map((e) => e.name);
}

/** `${{ expr }}` for the few expressions the templates use; anything else is a test failure. */
function evaluate(text: string, context: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (expr.startsWith('secrets.')) return '';
    if (!(expr in context)) throw new Error(`the simulation does not know \${{ ${expr} }}`);
    return context[expr] as string;
  });
}

let parent: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-ci-'));
  env = docsEnvironment(parent);
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** A local-stack project whose root is `root` (prod for previews, dev for test runs). */
function project(root: string): string {
  const dir = newProject(parent);
  const init = spawnSync(process.execPath, [CLI, 'init', '--yes', '--root', root], { cwd: dir, env, encoding: 'utf8' });
  expect(init.status, init.stderr).toBe(0);
  return dir;
}

describe('docs/ci/index.md', () => {
  it('shows every template, each copy identical to its file', () => {
    const page = path.join(CI_DIR, 'index.md');
    const shown = fences(page).filter((f) => f.words.some((w) => w.startsWith('file=')));
    const files = [...templates('github').map((f) => `github/${f}`), ...templates('gitlab').map((f) => `gitlab/${f}`)];
    expect(shown.map((f) => f.words.find((w) => w.startsWith('file='))?.slice(5)).sort()).toEqual(files.sort());
    for (const fence of shown) {
      const file = fence.words.find((w) => w.startsWith('file='))!.slice(5);
      expect(`${fence.body}\n`, `docs/ci/index.md:${fence.line} differs from docs/ci/${file}`).toBe(readFileSync(path.join(CI_DIR, file), 'utf8'));
    }
  });
});

describe('GitHub Actions templates (docs/ci/github)', () => {
  for (const file of templates('github')) {
    describe(file, () => {
      const workflow = load(path.join(CI_DIR, 'github', file)) as Workflow;

      it('is a workflow: name, triggers, jobs with runs-on and steps', () => {
        expect(workflow.name).toBeTypeOf('string');
        expect(workflow.on).toBeDefined();
        for (const [id, job] of Object.entries(workflow.jobs)) {
          expect(job['runs-on'], id).toBeTypeOf('string');
          expect(Array.isArray(job.steps) && job.steps.length > 0, id).toBe(true);
          for (const step of job.steps) {
            expect(Boolean(step.uses) !== Boolean(step.run), `${id}: a step has uses or run`).toBe(true);
            if (step.uses?.startsWith('fork-stack/fork-stack@')) {
              expect(['create', 'delete', 'env'], `${id}: command`).toContain(step.with?.command);
              expect(step.with?.env, `${id}: env`).toBeTruthy();
            }
          }
        }
      });

      it('deletes every environment it creates, also when the tests fail', () => {
        const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
        const creates = steps.filter((s) => s.with?.command === 'create');
        const deletes = steps.filter((s) => s.with?.command === 'delete');
        expect(deletes.length).toBeGreaterThanOrEqual(creates.length);
        for (const job of Object.values(workflow.jobs)) {
          const created = job.steps.findIndex((s) => s.with?.command === 'create');
          const deleted = job.steps.findIndex((s) => s.with?.command === 'delete');
          // In the same job after other steps: the delete must run whatever happened before it.
          if (created >= 0 && deleted > created) expect(job.steps[deleted]?.if).toBe('always()');
        }
      });

      it('works: its fork-stack steps, played on the local stack, leave nothing behind', () => {
        const usesProd = JSON.stringify(workflow).includes('"from":"prod"');
        const dir = project(usesProd ? 'prod' : 'dev');
        replayGithub(workflow, file === 'preview.yml', dir);
      });
    });
  }
});

/**
 * Play a GitHub workflow's fork-stack steps (the Action with its `with:` inputs, and `npx fork-stack`
 * run steps) in `dir`, in the order GitHub would run them; the project must end with the environments
 * it started with.
 */
function replayGithub(workflow: Workflow, preview: boolean, dir: string): void {
  const before = environments(dir, env);
  const event = { 'github.event.pull_request.number': '42', 'github.run_id': '1234567890', 'github.run_attempt': '1' };
  // preview.yml: the preview job runs on "opened" (twice: a push reuses it), cleanup on "closed".
  const jobs = Object.entries(workflow.jobs);
  const runs = preview ? [...jobs.filter(([id]) => id !== 'cleanup'), ...jobs.filter(([id]) => id !== 'cleanup'), ...jobs.filter(([id]) => id === 'cleanup')] : jobs;
  for (const [id, job] of runs) {
    const matrix = job.strategy?.matrix ?? {};
    const [axis, values] = Object.entries(matrix)[0] ?? ['', ['']];
    for (const value of values as unknown[]) {
      const context: Record<string, string> = { ...event, [`matrix.${axis}`]: String(value) };
      for (const [k, v] of Object.entries({ ...workflow.env, ...job.env })) context[`env.${k}`] = evaluate(String(v), context);
      for (const step of job.steps) {
        if (step.run?.startsWith('npx fork-stack')) {
          const result = sh(evaluate(step.run, context), dir, env);
          expect(result.status, result.transcript).toBe(0);
        }
        if (!step.uses?.startsWith('fork-stack/fork-stack@')) continue;
        const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [`INPUT_${k.replace(/-/g, '_').toUpperCase()}`, evaluate(String(v), context)]));
        const result = spawnSync(process.execPath, [ACTION_SCRIPT], { cwd: dir, env: { ...env, ...inputs, GITHUB_WORKSPACE: dir }, encoding: 'utf8' });
        expect(result.status, `${id}/${step.name ?? step.with?.command}: ${result.stdout}\n${result.stderr}`).toBe(0);
      }
    }
  }
  expect(environments(dir, env)).toEqual(before);
}

describe('create-fork-stack --ci github on a local-stack project (its only root is dev)', () => {
  // It used to render `from: prod` and `npm run migrate` / `npm run deploy:preview`, which such a project
  // does not have: the workflows must fork the project's real root and call only scripts that exist.
  it.each(['typescript', 'python'])('%s: the workflows fork dev, call only existing scripts (placeholders marked), and replay on the local stack', (language) => {
    const work = mkdtempSync(path.join(parent, 'scaffold-'));
    const scaffolded = spawnSync(process.execPath, [SCAFFOLDER, 'app', '--language', language, '--ci', 'github'], { cwd: work, env, input: '', encoding: 'utf8', timeout: 120_000 });
    expect(scaffolded.status, `${scaffolded.stdout}\n${scaffolded.stderr}`).toBe(0);
    const dir = path.join(work, 'app');
    linkDependencies(dir);
    const scripts = Object.keys((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { scripts?: object }).scripts ?? {});
    const workflows = readdirSync(path.join(dir, '.github', 'workflows')).sort();
    expect(workflows).toEqual(['fork-stack-gc.yml', 'preview.yml', 'test.yml']);
    for (const file of workflows) {
      const text = readFileSync(path.join(dir, '.github', 'workflows', file), 'utf8');
      const workflow = load(path.join(dir, '.github', 'workflows', file)) as Workflow;
      const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
      for (const step of steps) if (step.with?.from) expect(step.with.from, `${file}: from`).toBe('dev');
      const commands = steps.flatMap((step) => (step.run ?? '').split('\n')).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
      for (const command of commands) {
        const npm = /^npm (?:test|run ([\w:.-]+))/.exec(command);
        if (npm) expect(scripts, `${file}: ${command}`).toContain(npm[1] ?? 'test');
      }
      if (file === 'preview.yml') {
        expect(text).toContain('# fork-stack placeholder: package.json has no "migrate" script');
        expect(text).toMatch(/^\s+# npm run deploy:preview/m);
      }
      if (file === 'test.yml') expect(commands).toContain(language === 'typescript' ? 'npm test' : 'make test');
      replayGithub(workflow, file === 'preview.yml', dir);
    }
  });
});

describe('GitLab CI templates (docs/ci/gitlab)', () => {
  for (const file of templates('gitlab')) {
    describe(file, () => {
      const config = load(path.join(CI_DIR, 'gitlab', file)) as Record<string, unknown>;
      const jobs = Object.entries(config).filter(([id, v]) => id !== 'stages' && !id.startsWith('.') && typeof v === 'object') as [string, GitlabJob][];
      const resolve = (job: GitlabJob): GitlabJob => {
        const base = job.extends ? (config[job.extends] as GitlabJob) : {};
        return { ...base, ...job, variables: { ...base.variables, ...job.variables } };
      };

      it('is a pipeline: stages, and jobs with a stage and a script', () => {
        expect(Array.isArray(config.stages)).toBe(true);
        expect(jobs.length).toBeGreaterThan(0);
        for (const [id, raw] of jobs) {
          const job = resolve(raw);
          expect(config.stages as string[], id).toContain(job.stage);
          expect(Array.isArray(job.script) && job.script.length > 0, id).toBe(true);
          if (raw.extends) expect(config[raw.extends], `${id} extends ${raw.extends}`).toBeDefined();
        }
      });

      it('works: its fork-stack commands, played in bash on the local stack, leave nothing behind', () => {
        const usesProd = readFileSync(path.join(CI_DIR, 'gitlab', file), 'utf8').includes('--from prod');
        const dir = project(usesProd ? 'prod' : 'dev');
        const before = environments(dir, env);
        const predefined = { CI_JOB_ID: '4242', CI_PIPELINE_ID: '99', CI_MERGE_REQUEST_IID: '7', CI_NODE_TOTAL: '4', CI_PIPELINE_SOURCE: 'merge_request_event' };
        // preview: the pipeline runs twice (a second push reuses the environment), then the stop job.
        const order = file.startsWith('preview') ? ['preview', 'preview', 'stop_preview'] : jobs.map(([id]) => id);
        for (const id of order) {
          const job = resolve(Object.fromEntries(jobs)[id] as GitlabJob);
          for (let node = 1; node <= (job.parallel ?? 1); node++) {
            const ci = { ...predefined, CI_NODE_INDEX: String(node), CI_JOB_ID: String(4242 + node) };
            const exports = Object.entries({ ...ci, ...job.variables }).map(([k, v]) => `export ${k}="${v.replace(/ #.*$/, '')}"`).join('\n');
            const lines = [...(job.before_script ?? []), ...(job.script ?? []), ...(job.after_script ?? [])].filter((l) => l.includes('fork-stack'));
            const result = sh(`${exports}\n${lines.join('\n')}`, dir, env);
            expect(result.status, `${file} ${id}\n${result.transcript}`).toBe(0);
          }
        }
        expect(environments(dir, env)).toEqual(before);
      });
    });
  }
});

describe('action.yml', () => {
  it('is valid YAML', () => {
    expect(parse(readFileSync(path.join(REPO, 'action.yml'), 'utf8'))).toHaveProperty('runs');
  });
});
