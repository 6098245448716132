/**
 * The example app's logic: what it reads from the environment it runs in. Replace it with your app;
 * keep asking the reader (./envUtils.ts, which is fork-stack/runtime) for every URL and name.
 */
import { EnvConfig, ForkStackRuntimeError, type ReaderOptions } from './envUtils.js';

/** One value the app reads; undefined for a value the environment does not have. */
export type Line = [label: string, value: string | undefined];

const VALUES: [string, (config: EnvConfig) => string][] = [
  ['DATABASE_URL', (config) => config.getDatabaseUrl()],
  ['BUCKET_NAME', (config) => config.getBucketName()],
  ['CACHE_URL', (config) => config.getCacheUrl()],
  ['QUEUE_URL', (config) => config.getQueueUrl()],
];

/** The project, the environment and its values; `options` reads another directory or environment. */
export function describe(options: ReaderOptions = {}): Line[] {
  const config = new EnvConfig(options);
  const lines: Line[] = [
    ['project', config.getProjectName()],
    ['environment', config.getCurrentEnv()],
  ];
  for (const [label, read] of VALUES) {
    try {
      lines.push([label, read(config)]);
    } catch (error) {
      if (!(error instanceof ForkStackRuntimeError && error.code === 'missing-value')) throw error;
      lines.push([label, undefined]);
    }
  }
  return lines;
}
