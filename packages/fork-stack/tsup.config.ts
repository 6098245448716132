import { defineConfig } from 'tsup';

// Two builds: the CLI/engine as ESM with code splitting (so each provider and each command is its own
// chunk, loaded only when used), and the zero-dependency runtime reader as ESM + CommonJS so apps on
// either module system can import `fork-stack/runtime`.
// scripts/build.mjs runs this into a fresh directory and swaps it in for dist/, so output is always clean.
export default defineConfig([
  {
    entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: true,
    dts: { entry: { index: 'src/index.ts' } },
    shims: false,
    // Bundled rather than resolved at run time: the CLI's start-up (~10 ms of module loading for these
    // CommonJS packages) matters for `fork-stack current` in shell prompts. Provider SDKs stay external
    // and are imported lazily.
    noExternal: ['commander', '@commander-js/extra-typings', 'picocolors'],
    sourcemap: false,
    // Bundled CommonJS (commander) calls require() for Node built-ins; give ESM chunks a real require.
    banner: { js: "import { createRequire as __forkStackCreateRequire } from 'node:module'; const require = __forkStackCreateRequire(import.meta.url);" },
  },
  {
    entry: { runtime: 'src/runtime/index.ts' },
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    dts: true,
    clean: false,
  },
]);
