/**
 * The four invariants of docs/architecture.md, attacked through the built CLI with the figures
 * docs/reliability.md reports (section 6). Each provider also proves them on its own: the ownership
 * contract (test/helpers/ownership-contract.ts), and the provider contract's teammate and Ctrl-C cases.
 *
 * - Ownership is proven, never inferred: a foreign resource under an environment's name comes out of
 *   every command byte-identical.
 * - No false success: Ctrl-C on a terminal and signals off it, at points spread over a create, never exit 0.
 * - One writer at a time: concurrent `secrets set` lose no write; racers for a stale lock never both hold it.
 * - The prod guard compares resources: every spelling of prod's resources is refused.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/core/lock.js';
import { candidateIdentifiers, findCollisions, resourceIdentifiers } from '../../src/engine/safety.js';
import { localProject, runCliAsync, tempDir } from '../helpers/cli.js';
import { hasScript, runOnPty } from '../helpers/pty.js';
import { recordFigures, scale, since, tally, TIMEOUT_MS, type Figure } from './support/figures.js';
import { localChecksums, localLeftovers, localStack } from './support/local-stack.js';

const results: Record<string, Record<string, Figure>> = {};
// One record for the file: the report lists each case (ownership, interrupts, secrets, lock, guard).
afterAll(() => recordFigures('invariants', 'cases', results));

/** sha256 over every file under `target` (relative names, modes and bytes), or of the one file. */
function treeHash(target: string): string {
  const hash = createHash('sha256');
  const walk = (p: string, rel: string) => {
    if (!existsSync(p)) return void hash.update(`missing:${rel}\n`);
    const st = statSync(p);
    hash.update(`${rel}:${st.mode}:${st.isDirectory() ? 'd' : st.size}\n`);
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) walk(path.join(p, name), path.join(rel, name));
    else hash.update(readFileSync(p));
  };
  walk(target, '.');
  return hash.digest('hex');
}

describe('invariants', () => {
  it(
    'ownership: a foreign database file, bucket directory and secrets file under an environment\'s name survive every command byte-identical',
    async () => {
      const start = performance.now();
      const project = localProject('app');
      const codes: string[] = [];
      let changed = 0;
      try {
        const dir = project.dir;
        const foreign = [
          path.join(dir, '.fork-stack', 'data', 'app.uma.db'),
          path.join(dir, '.fork-stack', 'buckets', 'app-bucket-uma'),
          path.join(dir, '.fork-stack', 'secrets', 'uma.env'),
        ];
        const variants: Record<string, () => void> = {
          'non-empty': () => {
            writeFileSync(foreign[0] as string, 'SQLite format 3\0 someone else\'s data');
            mkdirSync(foreign[1] as string, { recursive: true });
            writeFileSync(path.join(foreign[1] as string, 'photo.jpg'), 'not fork-stack\'s');
            writeFileSync(foreign[2] as string, 'API_KEY=theirs\n');
          },
          empty: () => {
            writeFileSync(foreign[0] as string, '');
            mkdirSync(foreign[1] as string, { recursive: true });
            writeFileSync(foreign[2] as string, '');
          },
        };
        const commands = [
          ['delete', 'uma', '--yes'],
          ['create', 'uma'],
          ['create', 'uma', '--resume'],
          ['create', 'uma', '--reuse'],
          ['reset', 'uma', '--from', 'dev', '--yes'],
          ['gc', '--older-than', '1s', '--yes'],
        ];
        for (const [variant, plant] of Object.entries(variants)) {
          plant();
          const before = foreign.map(treeHash);
          for (const args of commands) {
            const r = project.run(args);
            codes.push(`${args[0]}${args.includes('--resume') ? ' --resume' : args.includes('--reuse') ? ' --reuse' : ''}: ${r.code}`);
            if (args[0] !== 'gc') expect(r.code, `${variant}: ${args.join(' ')}\n${r.stderr}`).toBe(1);
            else expect(r.code, r.stderr).toBeLessThanOrEqual(1);
            const after = foreign.map(treeHash);
            if (after.join() !== before.join()) changed++;
            expect(after, `${variant}: ${args.join(' ')} left the foreign resources byte-identical`).toEqual(before);
          }
        }
      } finally {
        project.cleanup();
      }
      results.ownership = { variants: 2, commands: codes.length, exitCodes: tally(codes), resourcesChanged: changed, ms: since(start) };
    },
    TIMEOUT_MS,
  );

  it(
    'no false success: Ctrl-C on a terminal and SIGINT/SIGTERM off it, at points spread over a create, never exit 0',
    async () => {
      expect(hasScript(), 'util-linux "script" runs the CLI on a pseudo-terminal').toBe(true);
      const start = performance.now();
      const project = await localStack({ rows: scale(3_000, 6_000), rowBytes: 4096, files: scale(300, 600) });
      const outcomes: string[] = [];
      let locksLeft = 0;
      let halfMade = 0;
      try {
        const parent = await localChecksums(project.dir, 'dev');
        const delays = scale([0, 40, 120, 300], [0, 20, 60, 120, 200, 350, 500, 800, 1200]);
        let n = 0;
        for (const delay of delays) {
          for (const how of ['ctrl-c on a terminal', 'SIGINT on pipes', 'SIGTERM on pipes'] as const) {
            const env = `int-${++n}`;
            let code: number | null;
            if (how === 'ctrl-c on a terminal') {
              const session = runOnPty(['create', env], { cwd: project.dir });
              await session.waitFor(`creating ${env}`).catch(() => undefined);
              await new Promise((r) => setTimeout(r, delay));
              session.send('\x03');
              code = (await session.done).code;
            } else {
              const run = runCliAsync(['create', env], { cwd: project.dir });
              await new Promise((r) => setTimeout(r, 150 + delay));
              run.child.kill(how.startsWith('SIGINT') ? 'SIGINT' : 'SIGTERM');
              const result = await run;
              // A signal that lands before Node has installed fork-stack's handler ends the process by the
              // signal itself: a shell sees 130/143 just the same, and nothing had started.
              code = result.code ?? (result.signal === 'SIGINT' ? 130 : result.signal === 'SIGTERM' ? 143 : null);
            }
            if (code === 0) {
              // The create finished before the interrupt landed: a success that did happen, whole.
              outcomes.push(`${how}: finished first`);
              const listed = JSON.parse(project.run(['list', '--json']).stdout) as { environments: { name: string; state: string }[] };
              expect(listed.environments.find((e) => e.name === env)?.state, `${how} after ${delay} ms exited 0`).toBe('ready');
              expect(await localChecksums(project.dir, env)).toEqual(parent);
            } else {
              outcomes.push(`${how}: exit ${code}`);
              expect([130, 143], `${how} after ${delay} ms`).toContain(code);
            }
            const locks = path.join(project.dir, '.fork-stack', 'locks');
            if (existsSync(locks) && readdirSync(locks).some((f) => f.includes(env))) locksLeft++;
            // Whatever is left, a re-run of create finishes it; then delete leaves nothing.
            if (localLeftovers(project.dir, env).length > 0) {
              halfMade++;
              const again = project.run(['create', env]);
              expect(again.code, `re-run after ${how} after ${delay} ms: ${again.stderr}`).toBe(0);
            }
            if (existsSync(path.join(project.dir, '.fork-stack', 'meta', `${env}.json`)) || localLeftovers(project.dir, env).length > 0) {
              expect(project.run(['delete', env, '--yes']).code).toBe(0);
            }
            expect(localLeftovers(project.dir, env)).toEqual([]);
          }
        }
        expect(await localChecksums(project.dir, 'dev')).toEqual(parent);
      } finally {
        project.cleanup();
      }
      expect(locksLeft).toBe(0);
      results.interrupts = { interrupts: outcomes.length, outcomes: tally(outcomes), finishedBeforeInterrupt: outcomes.filter((o) => o.endsWith('finished first')).length, locksLeft, leftForCreateToFinish: halfMade, ms: since(start) };
    },
    TIMEOUT_MS,
  );

  it(
    'one writer at a time: concurrent secrets set lose no write, and racers for a stale lock never both hold it',
    async () => {
      const start = performance.now();
      const project = localProject('app');
      const writers = scale(12, 40);
      try {
        const runs = await Promise.all(Array.from({ length: writers }, (_, i) => runCliAsync(['secrets', 'set', `KEY_${i}`, `value-${i}`], { cwd: project.dir })));
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        const stored = readFileSync(path.join(project.dir, '.fork-stack', 'secrets', 'dev.env'), 'utf8');
        const kept = Array.from({ length: writers }, (_, i) => stored.includes(`KEY_${i}=value-${i}`)).filter(Boolean).length;
        expect(kept).toBe(writers);
        results.secrets = { concurrentWriters: writers, keysStored: kept, ms: since(start) };
      } finally {
        project.cleanup();
      }

      // In-process: a holder that died (its pid is not alive) and six racers taking its lock over at once.
      const lockStart = performance.now();
      const trials = scale(100, 400);
      let doubleHolds = 0;
      const tmp = tempDir('fork-stack-lock-');
      try {
        for (let t = 0; t < trials; t++) {
          const locksDir = path.join(tmp.dir, `t${t}`);
          const dead = await acquireLock(locksDir, 'alice', 'create alice');
          // Make the held lock look like a dead process's: rewrite the pid in its record.
          rewritePid(path.join(locksDir, 'alice.lock'), 2 ** 22 + t);
          void dead;
          let inside = 0;
          await Promise.all(
            Array.from({ length: 6 }, async () => {
              const lock = await acquireLock(locksDir, 'alice', 'create alice').catch(() => undefined);
              if (!lock) return;
              if (++inside > 1) doubleHolds++;
              await new Promise((r) => setTimeout(r, 2));
              inside--;
              await lock.release();
            }),
          );
        }
      } finally {
        tmp.cleanup();
      }
      expect(doubleHolds).toBe(0);
      results.lock = { trials, racersPerTrial: 6, doubleHolds, ms: since(lockStart) };
    },
    TIMEOUT_MS,
  );

  it('the prod guard compares resources: every spelling of prod\'s resources is refused, shared servers are not', () => {
    const start = performance.now();
    const root = tempDir('fork-stack-guard-');
    try {
      const prodDb = path.join(root.dir, '.fork-stack', 'data', 'app.prod.db');
      mkdirSync(path.dirname(prodDb), { recursive: true });
      writeFileSync(prodDb, '');
      const prod = { DATABASE_URL: 'postgres://app:pw@localhost:5432/app_prod', LOCAL_DB: `file:${prodDb}`, BUCKET_NAME: 'app-prod-uploads' };
      const same = [
        'postgres://app:pw@127.0.0.1:5432/app_prod',
        'postgresql://x@[::1]/app_prod',
        'postgres://u@127.1:5432/app_prod',
        'postgres://u@LOCALHOST./app_prod',
        'host=localhost port=5432 dbname=app_prod user=reader',
        'postgres:///app_prod?host=127.0.0.1&port=5432',
        'postgres://u@other/ignored?host=localhost&dbname=app_prod',
        `file:${prodDb}`,
        prodDb,
        `${path.dirname(prodDb)}/../data/app.prod.db`,
        's3://app-prod-uploads/',
      ];
      const different = ['postgres://app:pw@localhost:5432/app_alice', 'postgres://app:pw@localhost:5433/app_prod', `file:${path.join(path.dirname(prodDb), 'app.alice.db')}`, 'postgres://app:pw@localhost:5432'];
      const ids = resourceIdentifiers(prod, root.dir);
      const refused = same.filter((v) => findCollisions(candidateIdentifiers({ SOME_URL: v }, root.dir), ids).length > 0);
      const accepted = different.filter((v) => findCollisions(candidateIdentifiers({ SOME_URL: v }, root.dir), ids).length === 0);
      expect(same.filter((v) => !refused.includes(v))).toEqual([]);
      expect(different.filter((v) => !accepted.includes(v))).toEqual([]);
      results.guard = { spellingsOfProd: same.length, refused: refused.length, otherResources: different.length, accepted: accepted.length, ms: since(start) };
    } finally {
      root.cleanup();
    }
  });
});

/** The lock's record(s) with another pid, as a holder killed with SIGKILL leaves them. */
function rewritePid(lockPath: string, pid: number): void {
  const files = statSync(lockPath).isDirectory() ? readdirSync(lockPath).map((f) => path.join(lockPath, f)) : [lockPath];
  for (const file of files) {
    const record = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; host: string };
    writeFileSync(file, JSON.stringify({ ...record, pid, host: os.hostname() }));
  }
}
