/**
 * The variables contract (docs/architecture.md, "Variables contract"; conformance/v<major>/VERSION) a project asks for with
 * `contract = "<n>"` in fork-stack.toml, against the one this CLI implements. A newer request is a
 * warning, never an error: the project may only use variables this CLI already writes, and refusing
 * to run would lock people out of `delete` and `list` at the moment they most need them.
 * The policy is docs/versioning.md.
 */
import { CONTRACT_VERSION, VERSION } from '../version.js';

/** "1" → [1, 0], "1.2" → [1, 2]; the config schema only lets these two shapes through. */
export function parseContractVersion(version: string): [major: number, minor: number] {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(version.trim());
  if (!match) throw new Error(`not a contract version: "${version}" (expected "1" or "1.2")`);
  return [Number(match[1]), Number(match[2] ?? 0)];
}

export function isNewerContract(requested: string, known: string = CONTRACT_VERSION): boolean {
  const [rMajor, rMinor] = parseContractVersion(requested);
  const [kMajor, kMinor] = parseContractVersion(known);
  return rMajor > kMajor || (rMajor === kMajor && rMinor > kMinor);
}

/** The warning to print when the project asks for a newer contract than this CLI knows, else undefined. */
export function contractWarning(requested: string | undefined, file: string, known: string = CONTRACT_VERSION, cliVersion: string = VERSION): string | undefined {
  if (requested === undefined || !isNewerContract(requested, known)) return undefined;
  return (
    `${file} asks for variables contract ${requested}, but fork-stack ${cliVersion} implements contract ${known}: ` +
    `variables added after contract ${known} will be missing. Upgrade the CLI (npm install -D fork-stack@latest) ` +
    `and the readers; see docs/versioning.md.`
  );
}
