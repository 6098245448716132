import { describe, expect, it } from 'vitest';
import { OpenApiValidator } from '../src/core/openapi.js';
import { FAKE_NAMES } from '../src/index.js';
import { providers } from '../src/registry.js';

describe('provider specs', () => {
  for (const name of FAKE_NAMES) {
    it(`${name}: every schema of every operation compiles, every handler is an operation of the spec`, async () => {
      const definition = await providers[name]();
      const validator = new OpenApiValidator(`openapi:${name}`, definition.spec);
      expect(validator.compileAll()).toEqual([]);
      expect(Object.keys(definition.handlers).filter((key) => !validator.hasOperation(key))).toEqual([]);
    });
  }
});
