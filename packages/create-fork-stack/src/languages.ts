/**
 * What a composed project looks like in each language: which files of the reader (templates/base) it
 * gets and where, the manifest it needs, and the commands that run the example and its tests.
 */
export interface LanguageLayout {
  label: string;
  /** [path in templates/base/<language>, path in the project]; folders are copied without tests. */
  reader: [from: string, to: string][];
  /** Generated manifests: file → content. */
  manifests(project: ProjectNames): Record<string, string>;
  run: string;
  test: string;
  /** One line for the README: where the reader is and how to import it. */
  readerNote: string;
}

export interface ProjectNames {
  project: string;
  /** The range of fork-stack the project installs (the CLI, and the TypeScript reader). */
  forkStackRange: string;
}

/** Files of a reader folder that are the reader's own tests or packaging, not part of a project. */
export function isReaderOnlyFile(relative: string): boolean {
  return /(^|\/)(test_[^/]*\.py|[^/]*_test\.go|tests\/.*|CHANGELOG\.md|README\.md)$/.test(relative);
}

/** package.json of projects in other languages: it pins the fork-stack CLI the Makefile runs (npx). */
export function cliPackageJson({ project, forkStackRange }: ProjectNames): string {
  const manifest = {
    name: project,
    private: true,
    description: 'The fork-stack CLI for this project (make envs-new, envs-switch, …): npm install',
    devDependencies: { 'fork-stack': forkStackRange },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export const LANGUAGES: Record<string, LanguageLayout> = {
  typescript: {
    label: 'TypeScript (Node.js 20+)',
    reader: [['envUtils.ts', 'src/envUtils.ts']],
    manifests: ({ project, forkStackRange }) => ({
      'package.json': `${JSON.stringify(
        {
          name: project,
          version: '0.1.0',
          private: true,
          type: 'module',
          engines: { node: '>=20.12' },
          scripts: { start: 'tsx src/main.ts', test: 'node --import tsx --test test/*.test.ts', typecheck: 'tsc --noEmit' },
          dependencies: { 'fork-stack': forkStackRange },
          devDependencies: { '@types/node': '^20.19.0', tsx: '^4.20.0', typescript: '~5.9.0' },
        },
        null,
        2,
      )}\n`,
    }),
    run: 'npm start',
    test: 'npm test',
    readerNote: '`src/envUtils.ts` re-exports `fork-stack/runtime`: `import { getDatabaseUrl } from "./envUtils.js"`.',
  },
  python: {
    label: 'Python 3.9+ (standard library only)',
    reader: [['env_utils.py', 'env_utils.py']],
    manifests: (names) => ({ 'package.json': cliPackageJson(names) }),
    run: 'python3 -m example.app',
    test: 'python3 -m unittest discover -s tests -t . -v',
    readerNote: '`env_utils.py` is the reader: `from env_utils import get_database_url, get_bucket_name, get_secret`.',
  },
  go: {
    label: 'Go 1.19+ (standard library only)',
    reader: [['envutils', 'envutils']],
    manifests: (names) => ({ 'go.mod': `module ${names.project}\n\ngo 1.19\n`, 'package.json': cliPackageJson(names) }),
    run: 'go run .',
    test: 'go vet ./... && go test ./...',
    readerNote: 'package `envutils` is the reader: `envutils.DatabaseURL()`, `envutils.BucketName("")`, `envutils.Secret("KEY")`.',
  },
  rust: {
    label: 'Rust 1.70+ (no dependencies)',
    reader: [
      ['src/env_utils.rs', 'src/env_utils.rs'],
      ['src/env_utils', 'src/env_utils'],
    ],
    manifests: (names) => ({
      'Cargo.toml': `[package]
name = "${names.project}"
version = "0.1.0"
edition = "2021"
rust-version = "1.70"
publish = false

[lib]
# The reader's doc examples name its own crate (fork_stack_env); in this project it is a module.
doctest = false

[dependencies]
`,
      'package.json': cliPackageJson(names),
    }),
    run: 'cargo run --quiet',
    test: 'cargo test',
    readerNote: 'module `env_utils` (src/env_utils.rs) is the reader: `env_utils::database_url()`, `env_utils::bucket_name(None)`.',
  },
};

/** Replaced in starter files: the project's name, and its Rust crate name. */
export function substitutions(project: string): Record<string, string> {
  return { '{{project}}': project, '{{crate}}': project.replace(/-/g, '_') };
}
