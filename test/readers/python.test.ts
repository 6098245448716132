/** The Python reader's own tests (python3 -m unittest): every conformance vector, the API, pip install. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { output, requireToolchain, run, TEMPLATES, toolchain } from './toolchain.js';

const python = toolchain('python3', ['--version'], 'install Python 3.9 or newer');
const dir = path.join(TEMPLATES, 'python');

describe('Python reader (templates/base/python)', () => {
  it('passes every conformance vector and its own tests under unittest', ({ skip }) => {
    requireToolchain(python, skip);
    const result = run(python.command, ['-m', 'unittest', '-v'], dir);
    expect(result.status, output(result)).toBe(0);
    // unittest -v names each test ("test_<file>__<case> (test_env_utils.ConformanceTest...)"); with "OK"
    // at the end, every one of them passed or was skipped for a stated reason.
    const vectors = result.stderr.match(/^test_\w+__\w+ \(test_env_utils\.ConformanceTest[.\w]*\)/gm) ?? [];
    expect(vectors.length, output(result)).toBeGreaterThanOrEqual(200);
    expect(result.stderr).toMatch(/^OK/m);
  });
});
