import { expect, it } from 'vitest';

it('is importable by package name, as the engine tests import it', async () => {
  const { startFake, FAKE_NAMES } = await import('@fork-stack/provider-fakes');
  expect(FAKE_NAMES).toContain('neon');
  const fake = await startFake('neon');
  expect(fake.env.FORK_STACK_NEON_API_URL).toBe(fake.url);
  await fake.close();
});
