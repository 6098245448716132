/**
 * --ci github|gitlab: fork-stack's CI templates (docs/ci/, copied into the package): a test environment
 * per run, a preview environment per pull/merge request and, on GitHub, a nightly clean-up.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readFile, textFile, type PlannedFile } from './files.js';

/** Template → where it goes in the project (the paths the templates' own comments suggest). */
const GITHUB: [string, string][] = [
  ['test-env.yml', '.github/workflows/test.yml'],
  ['preview.yml', '.github/workflows/preview.yml'],
  ['gc.yml', '.github/workflows/fork-stack-gc.yml'],
];
const GITLAB = ['test-env.gitlab-ci.yml', 'preview.gitlab-ci.yml'];

export function ciFiles(templates: string, ci: 'github' | 'gitlab'): PlannedFile[] {
  const dir = path.join(templates, 'ci', ci);
  const source = (name: string) => {
    const file = path.join(dir, name);
    if (!existsSync(file)) throw new Error(`CI template ${file} is missing from the package; rebuild create-fork-stack`);
    return file;
  };
  if (ci === 'github') return GITHUB.map(([name, to]) => readFile(source(name), to));

  // GitLab reads one .gitlab-ci.yml: include each template, and list every stage they use (an included
  // file's `stages:` would otherwise replace the others').
  const files = GITLAB.map((name) => readFile(source(name), `.gitlab/ci/fork-stack-${name}`));
  const stages: string[] = [];
  for (const name of GITLAB) {
    for (const stage of stagesOf(readFileSync(source(name), 'utf8'))) if (!stages.includes(stage)) stages.push(stage);
  }
  const root = [
    '# fork-stack CI jobs (from create-fork-stack): a test environment per pipeline and a preview',
    '# environment per merge request. Add your own jobs below; keep the stages the included files use.',
    'stages:',
    ...stages.map((s) => `  - ${s}`),
    '',
    'include:',
    ...files.map((f) => `  - local: ${f.path}`),
    '',
  ].join('\n');
  return [...files, textFile('.gitlab-ci.yml', root)];
}

/** The `stages:` list of a GitLab CI file (a top-level block list). */
export function stagesOf(yaml: string): string[] {
  const block = /^stages:[ \t]*\r?\n((?:[ \t]+-[^\n]*\r?\n?)+)/m.exec(yaml)?.[1] ?? '';
  return [...block.matchAll(/^[ \t]+-[ \t]*["']?([^"'\s#]+)/gm)].map((m) => m[1] as string);
}
