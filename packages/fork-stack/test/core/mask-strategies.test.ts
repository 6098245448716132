/** The masking strategies of [database.mask] (docs/data-modes.md), as pure functions. */
import { describe, expect, it } from 'vitest';
import { masker, parseStrategy, parseTarget } from '../../src/providers/database/mask/strategies.js';
import type { MaskStrategy } from '../../src/providers/types.js';

const ALL: MaskStrategy[] = ['email', 'name', 'phone', 'null', 'hash', 'redact'].map((t) => parseStrategy(t) as MaskStrategy);

describe('mask strategies', () => {
  it('keep NULL as NULL under every strategy, fixed included', () => {
    const mask = masker('k');
    for (const s of [...ALL, { kind: 'fixed', value: 'x' } as const]) expect(mask(s, null)).toBeNull();
  });

  it('are deterministic under one key, differ under another, and never echo the input', () => {
    const a = masker('key-a');
    const b = masker('key-a');
    const c = masker('key-b');
    for (const s of ALL.filter((s) => s.kind === 'email' || s.kind === 'hash' || s.kind === 'phone')) {
      expect(a(s, 'alice@corp.test')).toBe(b(s, 'alice@corp.test'));
      expect(a(s, 'alice@corp.test')).not.toBe(c(s, 'alice@corp.test'));
      expect(a(s, 'alice@corp.test')).not.toContain('alice');
    }
    // The strategy is part of the HMAC input: a hash does not reveal the fake e-mail's digits.
    expect(a({ kind: 'email' }, 'v')?.slice(5, 21)).not.toBe(a({ kind: 'hash' }, 'v')?.slice(0, 16));
  });

  it('email keeps distinct inputs distinct (100,000 values)', () => {
    const mask = masker('k');
    const out = new Set<string | null>();
    for (let i = 0; i < 100_000; i++) out.add(mask({ kind: 'email' }, `person${i}@corp.test`));
    expect(out.size).toBe(100_000);
  });

  it('parse fixed values with colons, schema-qualified targets, and reject the rest', () => {
    expect(parseStrategy('fixed:a:b')).toEqual({ kind: 'fixed', value: 'a:b' });
    expect(parseStrategy('fixed:')).toEqual({ kind: 'fixed', value: '' });
    expect(parseStrategy('scramble')).toBeUndefined();
    expect(parseTarget('audit.events.ip')).toEqual({ table: 'audit.events', column: 'ip' });
    expect(parseTarget('users')).toBeUndefined();
    expect(parseTarget('users.')).toBeUndefined();
    expect(masker('k')({ kind: 'fixed', value: 'n/a' }, 42)).toBe('n/a');
    expect(masker('k')({ kind: 'hash' }, 42)).toBe(masker('k')({ kind: 'hash' }, '42'));
  });
});
