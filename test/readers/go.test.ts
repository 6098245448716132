/** The Go reader's own tools: gofmt, go vet and go test (every conformance vector, the examples). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { output, requireToolchain, run, TEMPLATES, toolchain } from './toolchain.js';

const go = toolchain('go', ['version'], 'apt-get install golang-go, or https://go.dev/dl');
const dir = path.join(TEMPLATES, 'go');

describe('Go reader (templates/base/go)', () => {
  it('is gofmt-formatted and go vet clean', ({ skip }) => {
    requireToolchain(go, skip);
    const fmt = run('gofmt', ['-l', '.'], dir);
    expect(fmt.status, output(fmt)).toBe(0);
    expect(fmt.stdout.trim(), 'files gofmt would change').toBe('');
    const vet = run(go.command, ['vet', './...'], dir);
    expect(vet.status, output(vet)).toBe(0);
  });

  it('passes every conformance vector under go test', ({ skip }) => {
    requireToolchain(go, skip);
    const result = run(go.command, ['test', '-count=1', '-v', './...'], dir);
    expect(result.status, output(result)).toBe(0);
    const passed = result.stdout.match(/--- PASS: TestConformance\//g) ?? [];
    expect(passed.length, output(result)).toBeGreaterThanOrEqual(200);
    expect(result.stdout).not.toMatch(/--- FAIL/);
  });
});
