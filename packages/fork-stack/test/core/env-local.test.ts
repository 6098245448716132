import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_BEGIN, BLOCK_END, blockEnv, keysAfterBlock, updateEnvLocal, userKeys } from '../../src/core/files/env-local.js';
import { parseDotenv } from '../../src/core/files/dotenv.js';

const block = (text: string) => text.slice(text.indexOf(BLOCK_BEGIN), text.indexOf(BLOCK_END) + BLOCK_END.length + 1);

describe('.env.local managed block', () => {
  it('appends a block to a file without one, keeping every user byte', () => {
    const user = 'A=1\r\n# comment\nB="two"'; // CRLF line and no final newline
    const next = updateEnvLocal(user, 'alice', { FORK_STACK_ENV: 'alice', X: 'y' });
    expect(next.startsWith(`${user}\n`)).toBe(true);
    expect(parseDotenv(block(next))).toEqual({ FORK_STACK_ENV: 'alice', X: 'y' });
    expect(blockEnv(next)).toBe('alice');
  });

  it('replaces only the block, in place', () => {
    const first = updateEnvLocal('TOP=1\n', 'alice', { X: 'a' });
    const withTail = `${first}TAIL=2\n`;
    const second = updateEnvLocal(withTail, 'bob', { X: 'b', Y: 'c' });
    expect(second.startsWith('TOP=1\n')).toBe(true);
    expect(second.endsWith('TAIL=2\n')).toBe(true);
    expect(parseDotenv(block(second))).toEqual({ X: 'b', Y: 'c' });
    expect(userKeys(second)).toEqual(['TOP', 'TAIL']);
  });

  it('the .env.local warning tells the truth: a user line above the block loses, one below it wins, with the dotenv package, python-dotenv and node --env-file', () => {
    // The warning used to say "the block comes later and wins" for every key; a line below the block
    // wins with every loader (each takes a key's last line). keysAfterBlock is what the warning uses.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'env-local-loaders-'));
    try {
      const first = updateEnvLocal('ABOVE=user\n', 'alice', { ABOVE: 'block', BELOW: 'block' });
      const text = updateEnvLocal(`${first}BELOW=user\n`, 'bob', { ABOVE: 'block', BELOW: 'block' });
      expect(keysAfterBlock(text)).toEqual(['BELOW']);
      expect(userKeys(text)).toEqual(['ABOVE', 'BELOW']);
      const file = path.join(dir, '.env.local');
      writeFileSync(file, text);
      const truth = { ABOVE: 'block', BELOW: 'user' };
      const parsed = dotenv.parse(readFileSync(file));
      expect({ ABOVE: parsed.ABOVE, BELOW: parsed.BELOW }).toEqual(truth);
      const env = { PATH: process.env.PATH ?? '' };
      const node = spawnSync(process.execPath, [`--env-file=${file}`, '-e', 'process.stdout.write(JSON.stringify({ ABOVE: process.env.ABOVE, BELOW: process.env.BELOW }))'], { env, encoding: 'utf8' });
      expect(JSON.parse(node.stdout || '{}'), node.stderr).toEqual(truth);
      // A variable the process already has beats the file.
      const preset = spawnSync(process.execPath, [`--env-file=${file}`, '-e', 'process.stdout.write(process.env.ABOVE ?? "")'], { env: { ...env, ABOVE: 'process' }, encoding: 'utf8' });
      expect(preset.stdout).toBe('process');
      const python = spawnSync('python3', ['-c', 'import json, sys; from dotenv import dotenv_values; v = dotenv_values(sys.argv[1]); sys.stdout.write(json.dumps({"ABOVE": v["ABOVE"], "BELOW": v["BELOW"]}))', file], { env, encoding: 'utf8' });
      if (python.status !== 0 && process.env.CI !== 'true' && /No module named/.test(python.stderr)) return; // python-dotenv is not on this machine (CI installs python3-dotenv)
      expect(JSON.parse(python.stdout || '{}'), python.stderr).toEqual(truth);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('removes the block and nothing else', () => {
    const text = updateEnvLocal('TOP=1\n', 'alice', { X: 'a' });
    expect(updateEnvLocal(text, 'alice', undefined)).toBe('TOP=1\n');
    expect(updateEnvLocal(undefined, 'alice', undefined)).toBe('');
  });

  it('property: user content outside the block is preserved byte for byte across switches', () => {
    const userText = fc.string({ maxLength: 200 }).filter((s) => !s.includes('fork-stack managed block'));
    fc.assert(
      fc.property(userText, userText, fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/), fc.string({ maxLength: 20 })), (before, after, values) => {
        const initial = updateEnvLocal(before, 'alice', values);
        const withAfter = initial + after;
        const switched = updateEnvLocal(withAfter, 'bob', { ...values, FORK_STACK_ENV: 'bob' });
        const start = switched.indexOf(BLOCK_BEGIN);
        const end = switched.indexOf(BLOCK_END) + BLOCK_END.length + 1;
        const sep = before === '' || before.endsWith('\n') ? '' : '\n';
        expect(switched.slice(0, start)).toBe(before + sep);
        expect(switched.slice(end)).toBe(after);
        expect(parseDotenv(switched.slice(start, end))).toEqual({ ...values, FORK_STACK_ENV: 'bob' });
      }),
      { numRuns: 300 },
    );
  });
});
