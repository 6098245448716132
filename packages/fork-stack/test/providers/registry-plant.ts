/**
 * For the ownership contract of providers whose proof of ownership is fork-stack's registry record
 * (src/providers/cloud/checkout-record.ts): write, by hand, a record naming another project or environment
 * for a planted resource's id, and read every record for the fingerprint.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function registryPlant(root: string, slot = 'database') {
  const dir = path.join(root, '.fork-stack', 'registry', slot);
  return {
    record(id: string, name: string, project: string, env: string, provider: string): void {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${env}.json`), JSON.stringify({ v: 1, project, env, provider, id, name, createdAt: '2026-01-01T00:00:00Z' }));
    },
    records(): string[] {
      try {
        return readdirSync(dir).sort().map((f) => `${f}:${readFileSync(path.join(dir, f), 'utf8')}`);
      } catch {
        return [];
      }
    },
    clear(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
