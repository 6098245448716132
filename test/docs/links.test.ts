/**
 * Every relative link of the docs, the README and the community files reaches a page, a heading or a
 * repository file (scripts/docs/check-links.mjs, also run by `npm run docs:build`).
 */
import { describe, expect, it } from 'vitest';
import { checkLinks, markdownFiles } from '../../scripts/docs/check-links.mjs';

describe('links in the docs', () => {
  it('all resolve', async () => {
    expect(markdownFiles().length).toBeGreaterThan(5);
    expect(await checkLinks()).toEqual([]);
  });
});
