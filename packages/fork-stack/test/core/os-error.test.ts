import { promises as fs, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperationError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/core/files/atomic.js';
import { fsError, isFsError } from '../../src/core/files/os-error.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('fsError', () => {
  it('names the file written, not its temp sibling, and the file in the way (ENOTDIR from writeFileAtomic)', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-os-error-'));
    writeFileSync(path.join(dir, 'envs'), 'a file\n');
    const error = await thrown(writeFileAtomic(path.join(dir, 'envs', 'sub', 'alice.env'), 'X=1\n'));
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(/^could not create directory .*envs\/sub: a part of that path is a file, not a directory$/);
    expect((error as OperationError).hint).toMatch(/Move the file on the way/);
  });

  it('a real errno error with a path is recognised; anything else is returned unchanged', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fork-stack-os-error-'));
    const enoent = await thrown(fs.readFile(path.join(dir, 'missing')));
    expect(isFsError(enoent)).toBe(true);
    expect((fsError(enoent) as Error).message).toMatch(/^could not open .*missing: no such file or directory$/);
    const plain = new Error('not an fs error');
    expect(fsError(plain)).toBe(plain);
    const already = new OperationError('already clear');
    expect(isFsError(already)).toBe(false);
    expect(fsError(already)).toBe(already);
  });
});
