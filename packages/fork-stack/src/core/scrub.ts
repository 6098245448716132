/**
 * Secret scrubbing. Provider error messages and logs can echo request bodies or URLs with credentials;
 * before anything reaches the terminal, known secret values and URL passwords are replaced.
 */
const MASK = '****';

/**
 * Values shorter than this are not scrubbed by substring: masking "true", "root" or "dev1" everywhere
 * would garble output and hide which environment a message is about. Such values are still masked
 * wherever a secret is shown by key (env, secrets list).
 */
const MIN_SCRUB_LENGTH = 6;

// One set per process, shared with the copy of this module a provider package bundles (through
// @fork-stack/provider-kit), so its HTTP errors are scrubbed of the secrets the engine registered.
const registered: Set<string> = ((globalThis as { [key: symbol]: unknown })[Symbol.for('fork-stack.secrets')] ??= new Set<string>()) as Set<string>;

/** Remember a secret value so that any later output containing it is scrubbed. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SCRUB_LENGTH) registered.add(value);
}

export function registeredSecretCount(): number {
  return registered.size;
}

/** Field names whose values are credentials in every API fork-stack talks to. */
const SENSITIVE_NAME = '[A-Za-z0-9_.-]*(?:pass(?:word)?|pwd|secret|token|jwt|api[_-]?key|private[_-]?key|credential|plain_text|signing[_-]?key)[A-Za-z0-9_.-]*';
// "password": "…" in JSON, also when the JSON is itself quoted inside a string (\"password\": \"…\").
const JSON_FIELD = new RegExp(`((\\\\?)"${SENSITIVE_NAME}\\2"\\s*:\\s*)\\2"(?:[^"\\\\]|\\\\.)*?\\2"`, 'gi');
// password=… in query strings and key=value text.
const PAIR = new RegExp(`(\\b${SENSITIVE_NAME}=)[^&\\s"',;]+`, 'gi');

/**
 * Mask the values of credential-named fields (password, token, jwt, db_pass, plain_text, …) wherever
 * they appear: a provider error that quotes an API answer can carry a credential fork-stack never saw.
 */
export function maskSensitiveFields(text: string): string {
  return text.replace(JSON_FIELD, (_m, head: string, q: string) => `${head}${q}"${MASK}${q}"`).replace(PAIR, (_m, head: string) => `${head}${MASK}`);
}

/**
 * Replace every registered secret value, URL password and credential-named field in `text`. `keep`:
 * registered values that are shown on purpose (`env` shows a passwordless URL of a secret key).
 */
export function scrub(text: string, keep?: ReadonlySet<string>): string {
  let out = maskSensitiveFields(maskUrlPasswords(text));
  // Longest first so that a secret containing another secret is masked whole.
  const values = [...registered].filter((v) => !keep?.has(v)).sort((a, b) => b.length - a.length);
  for (const value of values) {
    if (out.includes(value)) out = out.split(value).join(MASK);
  }
  return out;
}

/** `scheme://user:password@host` → `scheme://user:****@host`, anywhere in the text. */
export function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@/'"]+)(@)/gi, (_m, head: string, _pw: string, at: string) =>
    `${head}${MASK}${at}`,
  );
}

/**
 * Connection URLs, whose only credential is the password in their user part: shown with it masked (or
 * whole when passwordless). Other URLs stay masked: a webhook's secret is its path.
 */
const CONNECTION_URL = /^(postgres(ql)?|cockroachdb|mysql2?|mariadb|mongodb(\+srv)?|sqlserver|redis|rediss|valkeys?|amqps?|libsql|file|sqlite3?):\/\//i;

/** How a secret value is shown without --reveal. */
export function maskValue(value: string): string {
  if (CONNECTION_URL.test(value)) {
    const masked = maskUrlPasswords(value);
    // A URL without a password is still masked when it carries a token in its query string.
    if (!/[?&](token|key|secret|password|auth)[^=]*=/i.test(masked)) return masked;
  }
  return value === '' ? '' : MASK;
}
