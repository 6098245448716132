import path from 'node:path';
import { defineConfig } from 'tsup';

// The kit bundles fork-stack's own modules (src/index.ts says which); nothing is copied by hand.
// scripts/build.mjs runs this into a fresh directory and swaps it in for dist/.
const engineModules = /[\\/]fork-stack[\\/]src[\\/](engine[\\/]|core[\\/]project\.ts$)/;

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing.ts', fakes: 'src/fakes.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  dts: true,
  sourcemap: false,
  shims: false,
  // zod, ajv and ajv-formats are dependencies; vitest and fork-stack peers: tsup leaves them all external.
  esbuildPlugins: [
    {
      // The ownership contract drives the engine (create, delete, gc, reset). It must be the engine of the
      // fork-stack the project runs, not a second copy bundled here: its imports of the engine become
      // imports of the `fork-stack` package, whose index exports each of them.
      name: 'engine-from-fork-stack',
      setup(build) {
        build.onResolve({ filter: /^\.\.?\// }, (args) => {
          if (!/ownership-contract\.ts$/.test(args.importer)) return undefined;
          const target = path.resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
          return engineModules.test(target) ? { path: 'fork-stack', external: true } : undefined;
        });
      },
    },
  ],
});
