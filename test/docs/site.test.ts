/**
 * The docs site builds, as `npm run docs:build` builds it, so CI (which runs `npm test`) fails on a
 * broken page or a dead link between pages. Output goes to a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('docs site', () => {
  it('builds with VitePress, dead links failing the build', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-site-'));
    try {
      const vitepress = path.join(REPO, 'node_modules', 'vitepress', 'bin', 'vitepress.js');
      const result = spawnSync(process.execPath, [vitepress, 'build', 'docs', '--outDir', out], { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
      expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
      for (const page of ['index.html', 'cli.html', 'configuration.html', 'architecture.html', 'migrating.html']) {
        expect(existsSync(path.join(out, page)), page).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
