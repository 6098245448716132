/**
 * Bugs the suites found, each proved by a test marked `it.fails` (vitest passes it while the bug is there
 * and fails it once the bug is fixed, as a reminder to turn it into a plain `it` and delete the entry
 * here). Wrapping the test body in `provesBug` records, for docs/reliability.md, whether this run
 * reproduced the bug and how it showed.
 */
import { recordFigures } from './figures.js';

export interface BugInfo {
  /** What went wrong, for users. */
  what: string;
  /** How it was fixed; the test is then a plain `it` wrapped in guardsFix (a regression test). */
  fixed?: string;
  /** The code at fault, for whoever fixes it. */
  where: string;
  /** The test that proves it. */
  test: string;
}

export const BUGS = {
  'atomic-write-temp-orphan': {
    fixed: 'writeFileAtomic removes the temp files of writers that are no longer running beside each file it writes, and removing an env file, journal or secrets file removes them too.',
    what: 'A SIGKILL between writing and renaming a file leaves its .<name>.<pid>.<random>.tmp sibling for good: neither a re-run create nor delete removes it. For the dotenv secrets file and .fork-stack/envs/<env>.env the orphan holds secret values.',
    where: 'packages/fork-stack/src/core/files/atomic.ts (writeFileAtomic); the engine never cleans temp siblings of the files it owns',
    test: 'crash-local.test.ts › a kill between writing and renaming the secrets file leaves nothing once delete has run',
  },
  's3-bucket-created-before-marked': {
    fixed: 'before CreateBucket the create records its intent in the checkout\'s ledger (.fork-stack/bucket-intents); an unmarked bucket is this checkout\'s leftover only when that ledger names it and it holds no object version at all: create finishes it and delete removes it. Emptiness alone proves nothing (issue 14: a foreign versioned bucket listing empty was purged).',
    what: 'A SIGKILL between CreateBucket and the ownership tag (PutBucketTagging) leaves an empty, untagged bucket that every later create and delete refuses ("was not created by fork-stack"): the user must delete it by hand.',
    where: 'packages/fork-stack/src/providers/storage/s3-common/bucket-mode.ts (forkBucket, removeBucket)',
    test: 'crash-cloud.test.ts › a kill between creating and marking the bucket is finished by a re-run create and removed by delete',
  },
  'neon-delete-while-branch-initialising': {
    fixed: 'neon remove() waits for a branch still being created (as fork does) before deleting it.',
    what: 'delete right after a create was killed while its Neon branch was still being created fails with HTTP 423 ("running conflicting operations"): remove() retries the DELETE only within the generic retry budget instead of waiting for the branch\'s operations as fork() does.',
    where: 'packages/fork-stack/src/providers/database/neon.ts (remove)',
    test: 'crash-cloud.test.ts › delete right after a kill during branch creation waits for the branch and removes everything',
  },
  'neon-rollback-while-branch-initialising': {
    fixed: 'the same wait in neon remove().',
    what: 'The same cause in a failed create: when Neon applied the create-branch request but the answer was lost, the rollback\'s DELETE gets 423 and the create ends with "rollback incomplete", leaving the branch.',
    where: 'packages/fork-stack/src/providers/database/neon.ts (remove)',
    test: 'faults.test.ts › faulty providers: neon + doppler › at 100% faults on the creating request, create fails cleanly and rolls back',
  },
  'concurrent-create-adopts': {
    fixed: 'create passes a run id to every fork; providers that can record it atomically with the creation (capabilities.recordsRun: the Neon branch annotation) report who made the resource, and the first such slot decides: the run that did not make it says "already exists: another checkout created it at the same moment" (exit 1) and removes nothing. A stack with no such provider keeps the old outcome (both finish it, once and whole).',
    what: 'Two checkouts running `create alice` at the same moment both finish the same environment instead of one being told "already exists". It exists once and whole, and neither run removes anything the other made (a rollback leaves what it found under "already exists"). Doppler configs, Turso, PlanetScale and Supabase branches, Upstash and QStash cannot carry a per-run marker; a run-id check on every provider that can made crossing races (each run winning a different resource) fail both runs, hence one deciding slot.',
    where: 'packages/fork-stack/src/engine/create.ts (Resource.adopted, the journal check) and the providers\' "already exists" paths',
    test: 'concurrency.test.ts › two checkouts create the same environment at once: the second is told it already exists',
  },

  'local-delete-removes-foreign-file': {
    fixed: 'the local providers keep an ownership ledger (.fork-stack/owned/<slot>/<env>); a file at an environment\'s path without it is neither adopted nor deleted, and create refuses an environment that exists in part unless this checkout\'s journal started it (or --resume).',
    what: 'With a names override pointing at an existing file (e.g. names = { alice = "../precious.db" }), create reports "finished an interrupted create" for a file fork-stack never made, and delete deletes it, outside the project.',
    where:
      'packages/fork-stack/src/engine/create.ts (existing resources count as a resumed create) and providers/local/paths.ts statResource (every non-root file is `owned`)',
    test: 'hostile-names.test.ts › local stack: delete never removes a file fork-stack did not create',
  },
  'secrets-set-non-utf8': {
    fixed: 'secrets set decodes stdin strictly and refuses invalid UTF-8 (exit 2).',
    what: '`secrets set` with a piped value that is not UTF-8 stores U+FFFD replacement characters and says "set": the value is silently changed.',
    where: 'packages/fork-stack/src/cli/commands/secrets.ts (readStdin: readFileSync(0, "utf8"))',
    test: 'hostile-values.test.ts › a piped value that is not UTF-8 is refused (exit 2) or stored byte for byte',
  },
  'secrets-nul-crashes-run': {
    fixed: 'secrets set refuses a NUL character (exit 2); run reports a value holding one clearly (exit 1).',
    what: '`secrets set` accepts a value with a NUL byte, which no environment variable can hold; `fork-stack run` then dies with "must be a string without null bytes" and "This is a bug in fork-stack".',
    where: 'packages/fork-stack/src/cli/commands/secrets.ts (set) and cli/commands/run.ts',
    test: 'hostile-values.test.ts › a value with a NUL byte is refused by secrets set, or run reports it clearly',
  },
  'error-body-credentials': {
    fixed: 'scrub() also masks the values of credential-named fields (password, token, jwt, db_pass, plain_text, …) in JSON and key=value text, and provider messages no longer print JSON answers without a message field.',
    what: 'A provider error that quotes the answer of the failing request prints the credential in it (Neon connection_parameters.password, Turso "jwt", PlanetScale "plain_text", Supabase db_pass/jwt_secret): scrub() masks registered values and passwords inside URLs only.',
    where: 'packages/fork-stack/src/core/scrub.ts; core/http.ts providerMessage; providers/database/neon/api.ts toProviderError',
    test: 'leak-cloud-mix.test.ts › errors quoting a provider answer that carries a credential › <provider>',
  },
  'error-body-unseen-values': {
    fixed: 'requests whose answers carry secret values (Doppler downloads, Vault KV reads) are marked answersHoldSecrets; their error answers are never quoted, the error names the operation and the status.',
    what: 'Limitation: a failed read whose error body holds secret values the CLI never saw (Doppler download answering 400 with the values) prints them; scrub() can only mask values it was told about.',
    where: 'packages/fork-stack/src/core/http.ts (provider messages are printed whole)',
    test: 'leak-cloud-mix.test.ts › doppler: values quoted by a failing download are not printed',
  },
} satisfies Record<string, BugInfo>;

export type BugId = keyof typeof BUGS;

/** A regression test for bug `id`, now fixed (use with a plain `it`): records that it stays fixed. */
export function guardsFix(id: BugId, body: () => unknown, variant?: string): () => Promise<void> {
  const key = variant ? `${id} (${variant})` : id;
  return async () => {
    try {
      await body();
    } catch (error) {
      recordFigures('bugs', key, { id: key, ...BUGS[id], reproduced: true, evidence: 'the regression test failed: the bug is back' });
      throw error;
    }
    recordFigures('bugs', key, { id: key, ...BUGS[id], reproduced: false, evidence: 'regression test passes' });
  };
}

/** A test body that proves bug `id` (use with it.fails); `variant` tells apart the cases of one bug. */
export function provesBug(id: BugId, body: () => unknown, variant?: string): () => Promise<void> {
  const key = variant ? `${id} (${variant})` : id;
  return async () => {
    try {
      await body();
    } catch (error) {
      const lines = (error instanceof Error ? error.message : String(error))
        .replace(/\x1b\[[0-9;]*m/g, '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      // The CLI's own error line when the assertion quotes its output, and the assertion itself.
      const evidence = [lines.find((l) => l.startsWith('error:')), lines.find((l) => /\bexpected\b/.test(l)) ?? lines[0]].filter(Boolean).join(' — ');
      recordFigures('bugs', key, { id: key, ...BUGS[id], reproduced: true, evidence: evidence.slice(0, 300) });
      throw error;
    }
    recordFigures('bugs', key, { id: key, ...BUGS[id], reproduced: false, evidence: 'the test passed: the bug looks fixed' });
  };
}
