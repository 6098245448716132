import { expect, it } from 'vitest';

it('is importable by package name, as the engine tests import it', async () => {
  const { startFake, FAKE_NAMES } = await import('@fork-stack/provider-fakes');
  expect(FAKE_NAMES).toContain('neon');
  const fake = await startFake('neon');
  expect(fake.env.FORK_STACK_NEON_API_URL).toBe(fake.url);
  await fake.close();
});

it('the S3 fakes are importable by the package\'s s3 subpath', async () => {
  const { startMemoryS3, startS3Server, startTigrisFake } = await import('@fork-stack/provider-fakes/s3');
  for (const start of [startMemoryS3, startS3Server, startTigrisFake]) {
    const fake = await start();
    expect(fake.env.AWS_ENDPOINT_URL_S3).toBe(fake.endpoint);
    await fake.close();
  }
});
