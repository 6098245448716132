#!/usr/bin/env node
/**
 * Every relative link in the docs, the README and the community files must reach something that
 * exists: a page (and the heading its #anchor names: with the site's slug for docs pages, GitHub's for
 * files the site does not render) or a repository file. VitePress checks links between pages itself; this also covers links to
 * repository files and anchors, which it does not. Run by `npm run docs:build` and test/docs.
 *
 *   node scripts/docs/check-links.mjs        prints each broken link, exit 1 if any
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMarkdownRenderer } from 'vitepress';
import { classifyLink } from '../../docs/.vitepress/repo-links.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS_DIR = path.join(REPO_ROOT, 'docs');

/** Markdown files whose links are checked: the docs and the repository's front pages. */
export function markdownFiles(repoRoot = REPO_ROOT) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.md')) files.push(full);
    }
  };
  walk(path.join(repoRoot, 'docs'));
  for (const top of ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', 'stacks/community/README.md']) {
    const file = path.join(repoRoot, top);
    if (existsSync(file)) files.push(file);
  }
  return files.sort();
}

/** GitHub's heading anchors (github-slugger): lower-case, punctuation dropped, spaces to "-". */
export function githubSlug(text) {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

function withDuplicates(slugs) {
  const seen = new Map();
  return slugs.map((slug) => {
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    return n === 0 ? slug : `${slug}-${n}`;
  });
}

let renderer;
async function markdown() {
  // The site's own renderer, so heading ids are exactly the site's; no syntax highlighting needed here.
  renderer ??= await createMarkdownRenderer(DOCS_DIR, { highlight: (code) => code }, '/', { warn() {} });
  return renderer;
}

/** Links and heading anchors of one file, parsed the way the site parses it. */
export async function parseMarkdown(file) {
  const md = await markdown();
  const tokens = md.parse(readFileSync(file, 'utf8'), { path: file, relativePath: path.relative(DOCS_DIR, file) });
  const links = [];
  const siteIds = [];
  const headingTexts = [];
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open') {
      const id = token.attrGet('id');
      if (id) siteIds.push(id);
      const inline = tokens[i + 1];
      headingTexts.push((inline?.children ?? []).filter((c) => c.type === 'text' || c.type === 'code_inline').map((c) => c.content).join(''));
    }
    if (token.type !== 'inline') return;
    for (const child of token.children ?? []) {
      // The site's own permalink on each heading is not a link anyone wrote.
      if (child.type === 'link_open' && !(child.attrGet('class') ?? '').includes('header-anchor')) {
        links.push({ href: child.attrGet('href') ?? '', line: (token.map?.[0] ?? 0) + 1 });
      }
    }
  });
  const site = new Set(siteIds);
  const github = new Set(withDuplicates(headingTexts.map(githubSlug)));
  // Docs pages are read on the site, the other files on GitHub: each anchor must work where it is read.
  const insideDocs = file.startsWith(DOCS_DIR + path.sep);
  return { links, anchors: insideDocs ? site : github };
}

/** Every broken link, as "file:line: message". */
export async function checkLinks(files = markdownFiles()) {
  const problems = [];
  const parsed = new Map();
  const parse = async (file) => {
    if (!parsed.has(file)) parsed.set(file, await parseMarkdown(file));
    return parsed.get(file);
  };
  for (const file of files) {
    const { links } = await parse(file);
    const where = (line) => `${path.relative(REPO_ROOT, file)}:${line}`;
    for (const { href, line } of links) {
      if (href.startsWith('#')) {
        const anchor = decodeURIComponent(href.slice(1));
        const { anchors } = await parse(file);
        if (!anchors.has(anchor)) problems.push(`${where(line)}: no heading #${anchor} in this file`);
        continue;
      }
      const link = classifyLink(file, href, DOCS_DIR);
      if (!link) continue;
      let target = link.target;
      if (!existsSync(target)) {
        problems.push(`${where(line)}: ${href} does not exist`);
        continue;
      }
      if (statSync(target).isDirectory()) {
        if (link.kind === 'page') target = path.join(target, 'index.md');
        if (!existsSync(target)) {
          problems.push(`${where(line)}: ${href} is a folder without index.md`);
          continue;
        }
      }
      if (!link.anchor) continue;
      if (!target.endsWith('.md')) {
        problems.push(`${where(line)}: ${href} has an anchor but is not a markdown page`);
        continue;
      }
      const { anchors } = await parse(target);
      if (!anchors.has(link.anchor)) {
        problems.push(`${where(line)}: ${href}: no heading #${link.anchor} in ${path.relative(REPO_ROOT, target)}`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = await checkLinks();
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`\n${problems.length} broken link(s)`);
    process.exit(1);
  }
  console.log(`links ok (${markdownFiles().length} files)`);
}
