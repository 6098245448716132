/** The CI templates rendered for a generated project: its real root, and only scripts it has. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER, renderCiTemplate } from '../src/ci-render.js';
import { REPO } from './helpers.js';

const template = (file: string) => readFileSync(path.join(REPO, 'docs', 'ci', file), 'utf8');
const local = { roots: ['dev'], defaultParent: 'dev', scripts: new Set<string>() };

describe('CI templates rendered for the project', () => {
  it('gitlab on a local-stack project without scripts: --from dev, make test, marked placeholders, valid YAML', () => {
    const preview = renderCiTemplate(template('gitlab/preview.gitlab-ci.yml'), local);
    expect(preview).not.toMatch(/--from prod/);
    expect(preview).toMatch(/--from dev/);
    expect(preview).toContain(`${PLACEHOLDER} package.json has no "migrate" script`);
    const script = (parseYaml(preview) as { preview: { script: string[] } }).preview.script.join('\n');
    expect(script).not.toMatch(/^npm run/m);
    const test = renderCiTemplate(template('gitlab/test-env.gitlab-ci.yml'), local);
    expect(test).toMatch(/^\s+- make test$/m);
    expect(() => parseYaml(test)).not.toThrow();
  });

  it('keeps what exists: a cloud project rooted at prod with migrate and test scripts', () => {
    const cloud = { roots: ['prod'], defaultParent: 'prod', scripts: new Set(['migrate', 'test']) };
    const preview = renderCiTemplate(template('github/preview.yml'), cloud);
    expect(preview).toMatch(/^\s+from: prod$/m);
    expect(preview).toMatch(/^\s+npm run migrate$/m);
    expect(preview).toMatch(/^\s+# npm run deploy:preview/m);
    // test-env.yml forks dev, which this project does not have: its only root.
    expect(renderCiTemplate(template('github/test-env.yml'), cloud)).toMatch(/^\s+from: prod$/m);
    expect(renderCiTemplate(template('github/test-env.yml'), cloud)).toMatch(/^\s+run: npm test$/m);
  });
});
