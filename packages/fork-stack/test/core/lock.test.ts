/**
 * The per-environment lock excludes for real: stale-lock takeover by many racers at once (in one process
 * and across processes, after a SIGKILL of the holder) never lets two hold it, and release never removes
 * a lock that is no longer its holder's. The racers of the cross-process case run the lock module built
 * on its own (esbuild), each a plain node process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, type Lock } from '../../src/core/lock.js';
import { PACKAGE_DIR } from '../helpers/cli.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-lock-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** Make the holder of `locksDir/<name>.lock` look dead, whatever the lock's on-disk layout. */
function markDead(locksDir: string, name: string, pid: number): void {
  const lockPath = path.join(locksDir, `${name}.lock`);
  const files = statSync(lockPath).isDirectory() ? readdirSync(lockPath).map((f) => path.join(lockPath, f)) : [lockPath];
  for (const file of files) writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), pid }));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lock', () => {
  it('a second acquire while the lock is held is refused with the busy message', async () => {
    const dir = mkdtempSync(path.join(root, 'busy-'));
    const lock = await acquireLock(dir, 'alice', 'create alice');
    await expect(acquireLock(dir, 'alice', 'delete alice')).rejects.toThrow(/environment "alice" is busy: another fork-stack process \(create alice, pid \d+ on .+\) started \d+s ago and is still running/);
    await lock.release();
    const again = await acquireLock(dir, 'alice', 'delete alice');
    await again.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a lock whose holder was killed is taken over at once', async () => {
    const dir = mkdtempSync(path.join(root, 'stale-'));
    await acquireLock(dir, 'alice', 'create alice');
    markDead(dir, 'alice', deadPid());
    const lock = await acquireLock(dir, 'alice', 'create alice');
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stale-lock takeover by 6 in-process racers never lets two hold the lock (200 trials)', async () => {
    const dead = deadPid();
    let doubleHolds = 0;
    let noWinner = 0;
    for (let trial = 0; trial < 200; trial++) {
      const dir = mkdtempSync(path.join(root, 'race-'));
      await acquireLock(dir, 'alice', 'create alice');
      markDead(dir, 'alice', dead);
      let holding = 0;
      let winners = 0;
      await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          await pause(Math.random() * 2);
          let lock: Lock;
          try {
            lock = await acquireLock(dir, 'alice', `create alice #${i}`);
          } catch (error) {
            expect(String(error)).toMatch(/is busy/);
            return;
          }
          holding++;
          winners++;
          if (holding > 1) doubleHolds++;
          await pause(Math.random() * 3);
          holding--;
          await lock.release();
        }),
      );
      if (winners === 0) noWinner++;
      rmSync(dir, { recursive: true, force: true });
    }
    expect(doubleHolds).toBe(0);
    expect(noWinner).toBe(0);
  }, 120_000);

  it('release never removes a lock that is no longer its own', async () => {
    const dir = mkdtempSync(path.join(root, 'release-'));
    const first = await acquireLock(dir, 'alice', 'create alice');
    // The first holder looks dead (say its pid was judged gone): a second process takes the lock over.
    markDead(dir, 'alice', deadPid());
    const second = await acquireLock(dir, 'alice', 'create alice');
    await first.release();
    // The second holder's lock must still exclude.
    await expect(acquireLock(dir, 'alice', 'delete alice')).rejects.toThrow(/is busy/);
    await second.release();
    await (await acquireLock(dir, 'alice', 'delete alice')).release();
  });

  it('leaves nothing behind after an acquisition killed before it finished', async () => {
    const dir = mkdtempSync(path.join(root, 'temp-'));
    // What a SIGKILL between the temp directory and its rename leaves.
    const token = 'feedfacefeedfacefeedface';
    const dead = deadPid();
    const temp = path.join(dir, `.alice.lock.${dead}.${token}.tmp`);
    spawnSync('mkdir', [temp]);
    writeFileSync(path.join(temp, `${token}.json`), JSON.stringify({ pid: dead, host: os.hostname(), command: 'create alice', startedAt: new Date().toISOString() }));
    // Killed before it wrote its file.
    spawnSync('mkdir', [path.join(dir, `.alice.lock.${dead}.${token.replace('f', 'e')}.tmp`)]);
    // A live acquisition's temp directory stays.
    const live = path.join(dir, `.alice.lock.${process.pid}.${token.replace('f', 'a')}.tmp`);
    spawnSync('mkdir', [live]);
    await (await acquireLock(dir, 'alice', 'create alice')).release();
    expect(readdirSync(dir)).toEqual([path.basename(live)]);
  });

  it('a lock file of the earlier format whose holder is dead is taken over; a live one is busy', async () => {
    const dir = mkdtempSync(path.join(root, 'legacy-'));
    const info = (pid: number) => JSON.stringify({ pid, host: os.hostname(), command: 'create alice', startedAt: new Date().toISOString() });
    writeFileSync(path.join(dir, 'alice.lock'), info(process.pid));
    await expect(acquireLock(dir, 'alice', 'delete alice')).rejects.toThrow(/is busy/);
    writeFileSync(path.join(dir, 'alice.lock'), info(deadPid()));
    await (await acquireLock(dir, 'alice', 'delete alice')).release();
    expect(existsSync(path.join(dir, 'alice.lock'))).toBe(false);
  });
});

describe('lock across processes', () => {
  let lockModule: string;
  let racer: string;
  beforeAll(async () => {
    lockModule = path.join(root, 'lock.mjs');
    await build({ entryPoints: [path.join(PACKAGE_DIR, 'src', 'core', 'lock.ts')], bundle: true, platform: 'node', format: 'esm', outfile: lockModule, logLevel: 'silent' });
    racer = path.join(root, 'racer.mjs');
    // Takes the lock, appends "enter"/"leave" with its pid to the log around a short critical section,
    // exits 0; busy exits 3; `hold` takes it and waits to be killed.
    writeFileSync(
      racer,
      `import { appendFileSync } from 'node:fs';
import { acquireLock } from ${JSON.stringify(lockModule)};
const [dir, log, mode] = process.argv.slice(2);
let lock;
try { lock = await acquireLock(dir, 'alice', 'create alice'); } catch (e) { if (/busy/.test(String(e))) process.exit(3); throw e; }
if (mode === 'hold') { process.stdout.write('held\\n'); setInterval(() => {}, 1000); }
else {
  appendFileSync(log, 'enter ' + process.pid + '\\n');
  await new Promise((r) => setTimeout(r, 150));
  appendFileSync(log, 'leave ' + process.pid + '\\n');
  await lock.release();
}
`,
    );
  }, 60_000);

  const runRacer = (dir: string, log: string) =>
    new Promise<number | null>((resolve) => spawn(process.execPath, [racer, dir, log], { stdio: 'ignore' }).on('close', (code) => resolve(code)));

  it('6 racers after a SIGKILL of the holder never both run the critical section (10 runs)', async () => {
    const overlaps: string[] = [];
    for (let run = 0; run < 10; run++) {
      const dir = mkdtempSync(path.join(root, 'xproc-'));
      const log = path.join(dir, '..', `${path.basename(dir)}.log`);
      writeFileSync(log, '');
      const holder = spawn(process.execPath, [racer, dir, log, 'hold'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));
      holder.kill('SIGKILL');
      await new Promise((r) => holder.on('close', r));
      const codes = await Promise.all(Array.from({ length: 6 }, () => runRacer(dir, log)));
      expect(codes.every((c) => c === 0 || c === 3)).toBe(true);
      // Sections must follow one another: enter, leave, enter, leave…
      const lines = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
      let inside: string | undefined;
      for (const line of lines) {
        const [what, pid] = line.split(' ');
        if (what === 'enter') {
          if (inside !== undefined) overlaps.push(`run ${run}: ${pid} entered while ${inside} was inside`);
          inside = pid;
        } else inside = undefined;
      }
      expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(1);
      expect(readdirSync(dir)).toEqual([]);
    }
    expect(overlaps).toEqual([]);
  }, 180_000);
});
