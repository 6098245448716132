export const REPO_ROOT: string;
export function markdownFiles(repoRoot?: string): string[];
export function githubSlug(text: string): string;
export function parseMarkdown(file: string): Promise<{ links: { href: string; line: number }[]; anchors: Set<string> }>;
export function checkLinks(files?: string[]): Promise<string[]>;
