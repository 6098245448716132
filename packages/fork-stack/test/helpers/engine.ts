/** Build an Engine over memory providers in a temp project directory, without a config file. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProjectConfig, SlotConfig } from '../../src/config/load.js';
import { createEngine, type Engine, type Reporter } from '../../src/engine/context.js';
import { projectPaths } from '../../src/core/project.js';
import { MemoryProvider } from './memory-provider.js';

export interface TestEngine {
  engine: Engine;
  config: ProjectConfig;
  providers: Record<string, MemoryProvider>;
  warnings: string[];
  root: string;
  cleanup(): void;
}

export function memoryEngine(
  slots: { id: string; provider?: MemoryProvider; common?: Record<string, unknown> }[] = [{ id: 'database' }, { id: 'storage.uploads' }, { id: 'secrets' }],
  overrides: Partial<ProjectConfig> = {},
  signal?: AbortSignal,
): TestEngine {
  const root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-engine-'));
  const providers: Record<string, MemoryProvider> = {};
  const slotConfigs: SlotConfig[] = slots.map((s) => {
    const kind = s.id.split('.')[0] as SlotConfig['kind'];
    providers[s.id] = s.provider ?? new MemoryProvider({ kind });
    const common = s.common ?? (kind === 'secrets' ? { copy: 'all', exclude: [], keep_on_delete: false, from: {} } : {});
    return {
      id: s.id,
      kind,
      provider: 'memory',
      options: {},
      common,
      bucket: kind === 'storage' ? { name: s.id.split('.')[1] ?? 'default', isDefault: true } : undefined,
    };
  });
  const file = path.join(root, 'fork-stack.toml');
  const config: ProjectConfig = {
    file,
    root,
    paths: projectPaths(root, file),
    project: 'app',
    defaultParent: 'dev',
    protected: ['prod', 'dev'],
    roots: ['dev'],
    git: { mainBranches: ['main', 'master'], mainEnv: 'dev', autoCreate: false, parent: 'dev', remote: 'origin' },
    lifecycle: {},
    hooks: { after_create: [], after_reset: [], before_delete: [], after_switch: [] },
    slots: slotConfigs,
    raw: {},
    ...overrides,
  };
  for (const p of Object.values(providers)) p.plant('dev', p.kind === 'secrets' ? { API_KEY: 'dev-key', STRIPE_SECRET: 'sk_dev' } : {});
  const warnings: string[] = [];
  const reporter: Reporter = { slot() {}, warn: (m) => warnings.push(m), info() {} };
  const engine = createEngine(config, { providers, reporter, env: {}, signal });
  return { engine, config, providers, warnings, root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
