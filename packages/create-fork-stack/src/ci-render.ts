/**
 * The CI templates (docs/ci/) are written for a typical cloud project: previews fork `prod`, test runs
 * fork `dev`, and the app has `npm run migrate` / `npm run deploy:preview` scripts. A generated project
 * may have neither: a local-stack project's only root is `dev`, a cloud one's only root is `prod`, and
 * package.json has whatever scripts the language's layout gives it. So each template is rendered for the
 * project: a parent that is not one of its roots becomes its default parent, `npm test` without a test
 * script becomes `make test` (every generated project's Makefile has one), and any other `npm run X`
 * whose script is missing becomes a clearly marked commented placeholder — never a step that fails.
 */
import type { PlannedFile } from './files.js';

export interface CiProject {
  roots: readonly string[];
  defaultParent: string;
  /** The scripts of the project's package.json. */
  scripts: ReadonlySet<string>;
}

export const PLACEHOLDER = '# fork-stack placeholder:';

/** Project scripts from a planned package.json (none when there is no package.json). */
export function packageScripts(files: readonly PlannedFile[]): Set<string> {
  const manifest = files.find((f) => f.path === 'package.json');
  if (!manifest) return new Set();
  const parsed = JSON.parse(manifest.content.toString('utf8')) as { scripts?: Record<string, string> };
  return new Set(Object.keys(parsed.scripts ?? {}));
}

function parent(name: string, project: CiProject): string {
  return project.roots.includes(name) ? name : project.defaultParent;
}

/** One line of a template, rendered for the project. */
function renderLine(line: string, project: CiProject): string[] {
  // GitHub: `from: prod` (an input of the fork-stack Action); GitLab: `--from prod`.
  let out = line.replace(/^(\s*from:\s*)([a-z][a-z0-9-]*)(\s*(?:#.*)?)$/, (_, a: string, name: string, b: string) => `${a}${parent(name, project)}${b}`);
  out = out.replace(/(--from\s+)([a-z][a-z0-9-]*)/g, (_, a: string, name: string) => `${a}${parent(name, project)}`);
  // `npm test` / `npm run <script> …` as a whole command: a line of a `run: |` block or a GitLab `- …` item.
  const command = /^(\s*(?:-\s+|run:\s+)?)npm (?:test|run ([\w:.-]+))\b(.*)$/.exec(out);
  if (!command) return [out];
  const [, lead = '', script = 'test'] = command;
  if (project.scripts.has(script)) return [out];
  if (script === 'test') return [out.replace(/npm test\b/, 'make test')];
  const indent = /^\s*/.exec(lead)?.[0] ?? '';
  const body = out.slice(lead.length);
  return [`${indent}${PLACEHOLDER} package.json has no "${script}" script; add one, then use this line:`, `${indent}# ${body}`];
}

/** The template's text for this project. */
export function renderCiTemplate(text: string, project: CiProject): string {
  const lines = text.split('\n').flatMap((line) => renderLine(line, project));
  return fixEmptyItems(lines).join('\n');
}

/**
 * A GitLab `- npm run migrate` item that became a comment leaves its script list shorter; a list left
 * with no item at all, or a GitHub `run: |` block left with only comments, must still be valid and do
 * nothing: add `true` (a shell no-op) where a block would otherwise hold only placeholders.
 */
function fixEmptyItems(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    out.push(line);
    const block = /^(\s*)(?:-\s+)?run:\s*\|\s*$/.exec(line);
    if (!block) continue;
    const indent = (block[1] ?? '').length;
    let j = i + 1;
    let onlyComments = true;
    let bodyIndent = '';
    while (j < lines.length) {
      const next = lines[j] as string;
      if (next.trim() === '') {
        j++;
        continue;
      }
      const lead = /^\s*/.exec(next)?.[0] ?? '';
      if (lead.length <= indent) break;
      bodyIndent ||= lead;
      if (!next.trim().startsWith('#')) onlyComments = false;
      j++;
    }
    if (onlyComments && bodyIndent) {
      let last = j - 1;
      while ((lines[last] as string).trim() === '') last--;
      out.push(...lines.slice(i + 1, last + 1), `${bodyIndent}true`);
      i = last;
    }
  }
  return out;
}

export function renderCiFiles(files: readonly PlannedFile[], project: CiProject): PlannedFile[] {
  return files.map((file) => ({ ...file, content: Buffer.from(renderCiTemplate(file.content.toString('utf8'), project)) }));
}
