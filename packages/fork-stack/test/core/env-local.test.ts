import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCK_BEGIN, BLOCK_END, blockEnv, updateEnvLocal, userKeys } from '../../src/core/files/env-local.js';
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
