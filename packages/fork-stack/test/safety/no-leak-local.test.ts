/**
 * No secret value in any output or stray file: the local stack (sqlite, fs, dotenv), every command with
 * and without --json, successes and errors (including a create that fails mid-way and rolls back).
 * `secrets get` and `--reveal` are the only ways to see a value, and they do show it exactly.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { safetyProject, type SafetyProject } from './helpers.js';
import { canaries, exitCodes, expectNoLeak, expectNoLeakInFiles, runEverything } from './leak-scan.js';

const LOCAL_STACK = `project = "app"
roots = ["dev"]

[database]
provider = "sqlite"

[storage.uploads]
provider = "fs"

[secrets]
provider = "dotenv"
`;

let project: SafetyProject | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

describe('secret values stay out of output (local stack)', () => {
  it('every command, with and without --json', async () => {
    const values = canaries('local');
    project = await safetyProject(LOCAL_STACK, { dev: values });
    const init = project.run(['init', '--force', '--yes']);
    const initJson = project.run(['init', '--force', '--yes', '--json']);
    const transcripts = [
      { label: 'init', result: init },
      { label: 'init --json', result: initJson },
      ...(await runEverything((args, input) => project!.run(args, input === undefined ? {} : { input }), { parent: 'dev', child: 'alice', values })),
    ];
    // The flows really ran: creates, switches and deletes succeeded at least once.
    expect(exitCodes(transcripts)).toMatchObject({ 'create ': 0, 'switch ': 0, 'secrets set ': 0, 'delete ': 0, 'create --json': 0, 'delete --json': 0, 'secrets get missing ': 1, 'secrets set bad key ': 2 });
    expectNoLeak(transcripts, values);
    expectNoLeakInFiles(project, values);
  });

  it('a create that fails part-way, rolled back', async () => {
    const values = canaries('fail');
    project = await safetyProject(LOCAL_STACK, { dev: values });
    // A parent database that is not a database: the sqlite fork fails while the others run, and the
    // create is rolled back.
    writeFileSync(path.join(project.dir, '.fork-stack/data/app.dev.db'), 'this is not a database file, just text');
    const failed = project.run(['create', 'alice']);
    const failedJson = project.run(['create', 'alice', '--json']);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain('rolled back');
    expect(JSON.parse(failedJson.stdout).error.exitCode).toBe(1);
    expectNoLeak([{ label: 'create failing', result: failed }, { label: 'create failing --json', result: failedJson }], values);
    expect(project.read('.fork-stack/secrets/alice.env')).toBeUndefined();
    expectNoLeakInFiles(project, values);
  });

  it('shows values only to secrets get and --reveal, exactly', async () => {
    const values = canaries('reveal');
    project = await safetyProject(LOCAL_STACK, { dev: values });
    for (const [key, value] of Object.entries(values)) {
      const got = project.run(['secrets', 'get', key, '--env', 'dev']);
      expect(got.stdout).toBe(`${value}\n`);
    }
    const revealed = JSON.parse(project.run(['env', 'dev', '--format', 'json', '--reveal']).stdout) as Record<string, string>;
    expect(revealed).toMatchObject(values);
    const listed = JSON.parse(project.run(['secrets', 'list', '--env', 'dev', '--reveal', '--json']).stdout) as { secrets: Record<string, string> };
    expect(listed.secrets).toEqual(values);
    const masked = JSON.parse(project.run(['secrets', 'list', '--env', 'dev', '--json']).stdout) as { secrets: Record<string, string> };
    expect(Object.values(masked.secrets).every((v) => v.includes('****'))).toBe(true);
  });
});
