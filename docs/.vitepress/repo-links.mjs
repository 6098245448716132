/**
 * Relative links in the docs point either at another page (`./cli.md`) or at a file of the repository
 * (`../packages/fork-stack/src/providers/registry.ts`, `./ci/github/preview.yml`). Both work when the
 * markdown is read on GitHub. The site only serves pages, so a markdown-it rule rewrites the second
 * kind to the file on GitHub. scripts/docs/check-links.mjs uses the same classification to check that
 * every target exists.
 */
import path from 'node:path';

export const REPO_URL = 'https://github.com/fork-stack/fork-stack';
export const REPO_BRANCH = 'main';

/** A link that leaves the repository's files alone: web, mail, in-page anchors, site-absolute paths. */
export function isExternal(href) {
  return /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//') || href.startsWith('#') || href.startsWith('/');
}

/**
 * Where a relative link from `fromFile` goes: a docs page (rendered by the site) or a repository file.
 * Returns { kind: 'page' | 'repo', target, anchor } with `target` an absolute path, or undefined for
 * external links.
 */
export function classifyLink(fromFile, href, docsDir) {
  if (isExternal(href)) return undefined;
  const [withoutHash, anchor] = splitOnce(href, '#');
  const [pathPart] = splitOnce(withoutHash, '?');
  const target = path.resolve(path.dirname(fromFile), decodeURIComponent(pathPart));
  const insideDocs = target === docsDir || target.startsWith(docsDir + path.sep);
  const isPage = insideDocs && (pathPart.endsWith('.md') || pathPart === '' || pathPart.endsWith('/'));
  return { kind: isPage ? 'page' : 'repo', target, anchor: anchor ?? '' };
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** markdown-it plugin: rewrite links to repository files as GitHub URLs. Options: { docsDir }. */
export function repoLinks(md, { docsDir }) {
  const repoRoot = path.dirname(docsDir);
  md.core.ruler.push('fork_stack_repo_links', (state) => {
    const from = state.env?.path;
    if (!from) return;
    const visit = (tokens) => {
      for (const token of tokens) {
        if (token.children) visit(token.children);
        if (token.type !== 'link_open') continue;
        const href = token.attrGet('href');
        if (!href) continue;
        const link = classifyLink(from, href, docsDir);
        if (link?.kind !== 'repo') continue;
        const relative = path.relative(repoRoot, link.target).split(path.sep).join('/');
        const mode = href.split('#')[0].endsWith('/') ? 'tree' : 'blob';
        token.attrSet('href', `${REPO_URL}/${mode}/${REPO_BRANCH}/${relative}${link.anchor ? `#${link.anchor}` : ''}`);
      }
    };
    visit(state.tokens);
  });
}
