/**
 * docs/configuration.md's key tables are generated from the zod schemas (scripts/docs/config-reference.ts);
 * this fails when a schema changed and the page did not follow.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_PAGE, renderPage, renderRegions } from '../../scripts/docs/config-reference.js';
import { providerNames } from '../../packages/fork-stack/src/providers/registry.js';
import { KINDS } from '../../packages/fork-stack/src/providers/types.js';

describe('docs/configuration.md', () => {
  it('has up-to-date key tables (run "npm run docs:gen" after changing a schema or the registry)', async () => {
    const page = readFileSync(CONFIG_PAGE, 'utf8');
    expect(await renderPage(page)).toBe(page);
  });

  it('documents every registered provider with its options', async () => {
    const regions = await renderRegions();
    for (const kind of KINDS) {
      for (const name of providerNames(kind)) expect(regions[`providers-${kind}`]).toContain(`#### \`${name}\``);
    }
  });
});
