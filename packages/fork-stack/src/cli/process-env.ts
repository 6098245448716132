/**
 * Environment variables the CLI sets for itself, kept out of the environment of commands it runs.
 *
 * The AWS SDK warns on every start under Node < 22 that future SDK releases will need Node 22. That is
 * a notice for whoever pins the SDK (us), not for someone running `fork-stack list`, so the CLI turns it
 * off for its own process — but not for the user's app started by `fork-stack run`.
 */
const AWS_NODE_WARNING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
const setByCli = new Set<string>();

export function quietSdkNotices(): void {
  if (process.env[AWS_NODE_WARNING] === undefined) {
    process.env[AWS_NODE_WARNING] = 'true';
    setByCli.add(AWS_NODE_WARNING);
  }
}

/** process.env as the user gave it (plus `extra`), for child processes. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const key of setByCli) delete env[key];
  return env;
}
