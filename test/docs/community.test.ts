/**
 * The community files: GitHub issue forms that GitHub will accept (the schema of
 * https://docs.github.com/en/communities/using-templates-to-encourage-useful-issues-and-pull-requests/syntax-for-issue-forms),
 * and the Apache-2.0 license text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { REPO } from './project.js';

const FORMS_DIR = path.join(REPO, '.github', 'ISSUE_TEMPLATE');
const TYPES = ['markdown', 'input', 'textarea', 'dropdown', 'checkboxes'];

interface Element {
  type: string;
  id?: string;
  attributes: { label?: string; value?: string; options?: unknown[] };
  validations?: { required?: boolean };
}

describe('issue forms (.github/ISSUE_TEMPLATE)', () => {
  const forms = readdirSync(FORMS_DIR).filter((f) => f.endsWith('.yml') && f !== 'config.yml');

  it('has a bug report, a backend request and a language request', () => {
    expect(forms.sort()).toEqual(['bug-report.yml', 'request-backend.yml', 'request-language.yml']);
  });

  for (const file of forms) {
    it(`${file} follows the issue-forms syntax`, () => {
      const doc = parseDocument(readFileSync(path.join(FORMS_DIR, file), 'utf8'));
      expect(doc.errors).toEqual([]);
      const form = doc.toJS() as { name: string; description: string; body: Element[] };
      expect(form.name).toBeTypeOf('string');
      expect(form.description).toBeTypeOf('string');
      expect(Array.isArray(form.body) && form.body.some((e) => e.type !== 'markdown')).toBe(true);
      const ids = new Set<string>();
      const labels = new Set<string>();
      for (const element of form.body) {
        expect(TYPES).toContain(element.type);
        if (element.type === 'markdown') {
          expect(element.attributes.value).toBeTypeOf('string');
          continue;
        }
        expect(element.attributes.label, `${file}: every field has a label`).toBeTypeOf('string');
        expect(labels.has(element.attributes.label as string), `${file}: labels are unique`).toBe(false);
        labels.add(element.attributes.label as string);
        if (element.id !== undefined) {
          expect(element.id).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(ids.has(element.id), `${file}: ids are unique`).toBe(false);
          ids.add(element.id);
        }
        if (element.type === 'dropdown' || element.type === 'checkboxes') {
          expect(element.attributes.options?.length, `${file}: ${element.id} has options`).toBeGreaterThan(0);
        }
      }
    });
  }

  it('config.yml links to the docs', () => {
    const config = parseDocument(readFileSync(path.join(FORMS_DIR, 'config.yml'), 'utf8')).toJS() as { contact_links: { url: string }[] };
    expect(config.contact_links[0]?.url).toMatch(/^https:\/\//);
  });
});

describe('LICENSE', () => {
  it('is the full Apache License 2.0', () => {
    const text = readFileSync(path.join(REPO, 'LICENSE'), 'utf8');
    expect(text).toContain('Apache License');
    expect(text).toContain('Version 2.0, January 2004');
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(text).toContain('9. Accepting Warranty or Additional Liability.');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });
});
