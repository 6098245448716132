/**
 * The structure docs/architecture.md ("Layers") describes, checked: every import arrow points down, no
 * import cycle (side-effect and dynamic imports count), process.exit only in the entry point, small
 * modules, and a command line that names no provider.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { allProviderNames } from '../../packages/fork-stack/src/providers/registry.js';
// @ts-expect-error: a plain .mjs script without types
import { cycles, importGraph, packageSources } from '../../scripts/import-graph.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const src = path.join(repo, 'packages/fork-stack/src');
type Graph = Map<string, Set<string>>;
const graphs: Graph[] = (packageSources() as string[]).map((dir) => importGraph(dir) as Graph);
const forkStack = importGraph(src) as Graph;

/** The layer of a file under packages/fork-stack/src, top (0) to bottom. */
const LAYERS = ['cli', 'engine', 'config', 'providers', 'core', 'runtime'] as const;
function layerOf(file: string): (typeof LAYERS)[number] | 'entry' {
  const rel = path.relative(src, file).split(path.sep);
  if (rel.length === 1) return rel[0] === 'version.ts' ? 'runtime' : 'entry';
  return rel[0] as (typeof LAYERS)[number];
}
/** Which layers each layer may import (runtime: the zero-dependency readers, with the pure helpers of core they share). */
const ALLOWED: Record<(typeof LAYERS)[number], readonly string[]> = {
  cli: ['cli', 'engine', 'config', 'providers', 'core', 'runtime'],
  engine: ['engine', 'config', 'providers', 'core', 'runtime'],
  config: ['config', 'providers', 'core', 'runtime'],
  providers: ['providers', 'core', 'runtime'],
  core: ['core', 'runtime'],
  runtime: ['runtime', 'core'],
};

describe('layers (docs/architecture.md, "Layers")', () => {
  it('no package has an import cycle, counting side-effect and dynamic imports', () => {
    const found = graphs.flatMap((g) => cycles(g) as string[][]);
    expect(found).toEqual([]);
  });

  it('every arrow points down: no layer imports a layer above it', () => {
    const upward: string[] = [];
    for (const [file, targets] of forkStack) {
      const from = layerOf(file);
      if (from === 'entry') continue;
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== 'entry' && !ALLOWED[from].includes(to)) upward.push(`${path.relative(src, file)} -> ${path.relative(src, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('core and runtime import nothing that pulls a provider or the engine in', () => {
    const below = [...forkStack.keys()].filter((f) => ['core', 'runtime'].includes(layerOf(f)));
    for (const file of below) for (const t of forkStack.get(file) ?? []) expect(['core', 'runtime']).toContain(layerOf(t));
  });

  it('process.exit appears only in the entry point', () => {
    const callers = [...forkStack.keys()].filter((f) => /\bprocess\.exit\s*\(/.test(readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    expect(callers.map((f) => path.relative(src, f))).toEqual(['cli.ts']);
  });

  it('no source file is over 400 lines', () => {
    const big = graphs.flatMap((g) => [...g.keys()]).map((f) => [path.relative(repo, f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
    expect(big).toEqual([]);
  });

  it('cli/ names no provider: under providers/ it imports only registry.ts and types.ts, and no string in it is a provider name', () => {
    const cliDir = path.join(src, 'cli');
    const allowedImports = ['registry.ts', 'types.ts'].map((f) => path.join(src, 'providers', f));
    const names = new Set(allProviderNames());
    // The one honest exception: "dotenv" is also the KEY=value file format `env --format` prints, listed
    // once in ENV_FORMATS; a provider name anywhere else in cli/ (a default, a help text, a special case)
    // is a convention that belongs in the registry.
    const exempt = (file: string, declaration: string) => path.relative(cliDir, file) === 'formats.ts' && declaration === 'ENV_FORMATS';
    const found: string[] = [];
    for (const file of [...forkStack.keys()].filter((f) => f.startsWith(`${cliDir}${path.sep}`))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const where = (node: ts.Node) => `${path.relative(src, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      const visit = (node: ts.Node, declaration: string | undefined): void => {
        const specifier =
          (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier
            ? node.moduleSpecifier
            : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword
              ? node.arguments[0]
              : undefined;
        if (specifier && ts.isStringLiteral(specifier)) {
          const target = path.resolve(path.dirname(file), specifier.text).replace(/\.js$/, '.ts');
          if (specifier.text.startsWith('.') && target.startsWith(path.join(src, 'providers')) && !allowedImports.includes(target)) {
            found.push(`${where(node)} imports ${specifier.text}`);
          }
          return;
        }
        if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && names.has(node.text) && !(declaration && exempt(file, declaration))) {
          found.push(`${where(node)} spells out the provider name ${JSON.stringify(node.text)}`);
        }
        const inside = ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) ? node.name.text : declaration;
        ts.forEachChild(node, (child) => visit(child, inside));
      };
      visit(source, undefined);
    }
    expect(found).toEqual([]);
  });
});
