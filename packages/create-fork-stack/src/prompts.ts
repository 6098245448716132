/**
 * The questions on a terminal (@clack/prompts). Only what the flags left open is asked; the answers go
 * through the same checks as flags (choices.ts). Cancelling (Ctrl-C, Esc) writes nothing.
 */
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import * as p from '@clack/prompts';
import { registry, UsageError } from 'fork-stack';
import { KINDS, type Catalog, type Kind } from './catalog.js';
import type { Flags } from './args.js';
import { checkCi, choicesFromFlags, DEFAULTS, finish, NONE, providerFlags, type Choices } from './choices.js';
import { LANGUAGES } from './languages.js';
import { checkTarget } from './write.js';

export class Cancelled extends Error {}

function answer<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw new Cancelled('cancelled');
  return value as Exclude<T, symbol>;
}

const QUESTIONS: Record<Kind, string> = {
  database: 'Database',
  storage: 'Object storage',
  secrets: 'Secrets',
  cache: 'Cache',
  queue: 'Queue',
};

/** Where the questions are read and drawn: the terminal, or streams a test drives. */
export interface Streams {
  input?: Readable;
  output?: Writable;
}

export async function ask(catalog: Catalog, flags: Flags, cwd: string, streams: Streams = {}): Promise<{ directory: string; choices: Choices }> {
  const io = { input: streams.input, output: streams.output };
  p.intro('create-fork-stack', io);
  const directory =
    flags.directory ??
    answer(
      await p.text({
        ...io,
        message: 'Where should the project go?',
        placeholder: 'my-app',
        defaultValue: 'my-app',
        validate: (value) => {
          try {
            checkTarget(path.resolve(cwd, value || 'my-app'), value || 'my-app');
            return undefined;
          } catch (error) {
            return error instanceof UsageError ? error.message : String(error);
          }
        },
      }),
    );

  const given = providerFlags(flags);
  const decided = flags.stack !== undefined || Object.keys(given).length > 0 || flags.language !== undefined;
  let choices: Choices;
  if (decided) {
    choices = choicesFromFlags(catalog, flags);
  } else {
    const start = catalog.stacks.length
      ? answer(
          await p.select<string>({
            ...io,
            message: 'Start from',
            options: [
              ...catalog.stacks.map((s) => ({ value: s.name, label: s.name, hint: s.summary })),
              { value: '', label: 'choose each part', hint: 'language, database, storage, secrets, cache, queue' },
            ],
          }),
        )
      : '';
    if (start) {
      choices = choicesFromFlags(catalog, { ...flags, stack: start });
    } else {
      const language = answer(
        await p.select<string>({
          ...io,
          message: 'Language',
          options: catalog.languages.map((l) => ({ value: l, label: l, hint: LANGUAGES[l]?.label })),
          initialValue: DEFAULTS.language,
        }),
      );
      const providers: Partial<Record<Kind, string>> = {};
      for (const kind of KINDS) {
        const options = Object.entries(registry[kind]).map(([value, entry]) => ({
          value,
          label: value === 'dotenv' ? 'dotenv (env files)' : value,
          hint: entry.summary,
        }));
        options.push({ value: NONE, label: NONE, hint: `no ${kind}` });
        const initialValue = (DEFAULTS.providers as Partial<Record<Kind, string>>)[kind] ?? NONE;
        const chosen = answer(await p.select<string>({ ...io, message: QUESTIONS[kind], options, initialValue }));
        if (chosen !== NONE) providers[kind] = chosen;
      }
      choices = finish(catalog, { language, providers, bucket: flags.bucket ?? 'uploads', project: flags.project, root: flags.root });
    }
  }
  if (flags.ci === undefined) {
    const ci = answer(
      await p.select<string>({
        ...io,
        message: 'CI workflows',
        options: [
          { value: NONE, label: 'none' },
          { value: 'github', label: 'GitHub Actions', hint: 'test environment per run, preview per pull request, nightly clean-up' },
          { value: 'gitlab', label: 'GitLab CI', hint: 'test environment per pipeline, preview per merge request' },
        ],
      }),
    );
    choices = { ...choices, ci: ci === NONE ? undefined : (ci as 'github' | 'gitlab') };
  } else {
    choices = { ...choices, ci: checkCi(flags.ci) };
  }
  return { directory, choices };
}

export function cancelled(streams: Streams = {}): void {
  p.cancel('Cancelled; nothing was written.', { output: streams.output });
}
