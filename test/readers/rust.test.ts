/** The Rust reader's own tools: cargo test (every conformance vector, the API) and cargo package. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { output, requireToolchain, run, TEMPLATES, toolchain } from './toolchain.js';

const cargo = toolchain('cargo', ['--version'], 'install Rust with rustup, https://rustup.rs');
const dir = path.join(TEMPLATES, 'rust');

describe('Rust reader (templates/base/rust)', () => {
  it('passes every conformance vector under cargo test', ({ skip }) => {
    requireToolchain(cargo, skip);
    const result = run(cargo.command, ['test', '--offline', '--', '--show-output'], dir);
    expect(result.status, output(result)).toBe(0);
    const summary = /conformance: (\d+) cases passed, (\d+) skipped/.exec(result.stdout);
    expect(summary, output(result)).not.toBeNull();
    expect(Number(summary?.[1]) + Number(summary?.[2])).toBeGreaterThanOrEqual(200);
  });

  it('packages exactly the crate (cargo package --list)', ({ skip }) => {
    requireToolchain(cargo, skip);
    const result = run(cargo.command, ['package', '--list', '--allow-dirty', '--offline'], dir);
    expect(result.status, output(result)).toBe(0);
    const files = result.stdout.trim().split('\n');
    for (const required of ['Cargo.toml', 'README.md', 'src/lib.rs', 'src/env_utils.rs', 'src/env_utils/dotenv.rs', 'src/env_utils/toml.rs']) {
      expect(files).toContain(required);
    }
    expect(files.filter((f) => f.startsWith('target/'))).toEqual([]);
  });
});
