/**
 * The docs site: `npm run docs:build` (checks every link first, then VitePress, which fails on dead
 * links between pages). The markdown files stay readable on GitHub too, so they link to repository
 * files (source, templates, workflow YAML) with plain relative paths; on the site those links are
 * rewritten to the repository on GitHub (see repoLinks below), because the site only serves pages.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';
import { REPO_URL, repoLinks } from './repo-links.mjs';

const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Sidebar entries for pages that exist: provider and reliability pages land as their work does. */
function pages(items: DefaultTheme.SidebarItem[]): DefaultTheme.SidebarItem[] {
  const file = (link: string) => (link.endsWith('/') ? `${link}index.md` : `${link}.md`).replace(/^\//, '');
  return items.filter((item) => !item.link || existsSync(path.join(docsDir, file(item.link))));
}

export default defineConfig({
  title: 'fork-stack',
  description: "Isolated copies of your app's infrastructure per developer, pull request and feature.",
  cleanUrls: true,
  // Dead links between pages fail the build (VitePress' default, stated for the reader of this file).
  ignoreDeadLinks: false,
  markdown: {
    config(md) {
      md.use(repoLinks, { docsDir });
    },
  },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/' },
      { text: 'CLI', link: '/cli' },
      { text: 'Configuration', link: '/configuration' },
      { text: 'CI/CD', link: '/ci/' },
    ],
    sidebar: [
      {
        text: 'Guide',
        items: pages([
          { text: 'Overview and quick start', link: '/' },
          { text: 'Architecture', link: '/architecture' },
          { text: 'Lifecycle hooks', link: '/hooks' },
          { text: 'Migrating from the templates', link: '/migrating' },
          { text: 'Reliability', link: '/reliability' },
        ]),
      },
      {
        text: 'Reference',
        items: pages([
          { text: 'CLI', link: '/cli' },
          { text: 'Configuration', link: '/configuration' },
          { text: 'Data modes (schema-only, masked)', link: '/data-modes' },
          { text: 'Versioning', link: '/versioning' },
        ]),
      },
      { text: 'Stacks', items: pages([{ text: 'Choosing a stack', link: '/stacks/choosing' }]) },
      {
        text: 'Languages',
        items: pages([
          { text: 'TypeScript', link: '/languages/typescript' },
          { text: 'Python', link: '/languages/python' },
          { text: 'Go', link: '/languages/go' },
          { text: 'Rust', link: '/languages/rust' },
        ]),
      },
      {
        text: 'Backends',
        items: pages([
          { text: 'Databases', link: '/backends/databases' },
          { text: 'Object storage', link: '/backends/storage' },
          { text: 'Secrets', link: '/backends/secrets' },
          { text: 'Cache', link: '/backends/cache' },
          { text: 'Queue', link: '/backends/queue' },
        ]),
      },
      { text: 'CI/CD', items: pages([{ text: 'GitHub Action and workflow templates', link: '/ci/' }]) },
      {
        text: 'Contributing',
        items: pages([
          { text: 'Add a backend', link: '/contributing/add-backend' },
          { text: 'Add a language', link: '/contributing/add-language' },
          { text: 'Add a stack', link: '/contributing/add-stack' },
        ]),
      },
    ],
    socialLinks: [{ icon: 'github', link: REPO_URL }],
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
});
