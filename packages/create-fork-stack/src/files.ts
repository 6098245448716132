/**
 * Reading template folders into planned files. npm never packs files named .gitignore, .npmignore or
 * .npmrc, so the build stores them as _gitignore, _npmignore, _npmrc; they get their names back here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface PlannedFile {
  /** Relative to the project, with "/" separators. */
  path: string;
  content: Buffer;
  /** Executable files stay executable. */
  executable?: boolean;
}

const RENAMED = new Map([
  ['_gitignore', '.gitignore'],
  ['_npmignore', '.npmignore'],
  ['_npmrc', '.npmrc'],
]);

/** The name a packaged template file has in a project. */
export function projectName(file: string): string {
  return RENAMED.get(file) ?? file;
}

/** Every file under dir, as planned files rooted at `to`; `skip` sees paths relative to dir. */
export function readTree(dir: string, to = '', skip: (relative: string) => boolean = () => false): PlannedFile[] {
  const files: PlannedFile[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dir, relative)).sort()) {
      const rel = relative ? `${relative}/${name}` : name;
      if (skip(rel)) continue;
      const stat = statSync(path.join(dir, rel));
      if (stat.isDirectory()) walk(rel);
      else files.push(readFile(path.join(dir, rel), joinPath(to, relative ? `${relative}/${projectName(name)}` : projectName(name)), stat.mode));
    }
  };
  walk('');
  return files;
}

export function readFile(file: string, to: string, mode = statSync(file).mode): PlannedFile {
  return { path: to, content: readFileSync(file), executable: (mode & 0o111) !== 0 };
}

export function textFile(to: string, text: string): PlannedFile {
  return { path: to, content: Buffer.from(text, 'utf8') };
}

export function joinPath(...parts: string[]): string {
  return parts.filter(Boolean).join('/');
}

/** Replace each placeholder in a text file; binary files are left alone. */
export function substitute(file: PlannedFile, values: Record<string, string>): PlannedFile {
  if (file.content.includes(0)) return file;
  let text = file.content.toString('utf8');
  for (const [placeholder, value] of Object.entries(values)) text = text.split(placeholder).join(value);
  return { ...file, content: Buffer.from(text, 'utf8') };
}
