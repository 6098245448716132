/**
 * Turns a Node file-system error (an errno code such as ENOSPC, EROFS or EACCES, a syscall and a path)
 * into an OperationError that names the file, says what went wrong in words and what to do about it,
 * so a full disk or a read-only checkout exits 1 with one clear line instead of "This is a bug in
 * fork-stack" (docs/cli.md, "Exit codes").
 */
import os from 'node:os';
import path from 'node:path';
import { OperationError, isForkStackError } from '../errors.js';

export type FsAction = 'write' | 'read' | 'open' | 'remove' | 'create directory' | 'lock';

interface Known {
  cause: string;
  hint: (dir: string) => string;
}

// Hand-written: Node 20 has no getSystemErrorMessage, and these are the causes a user can act on.
const KNOWN: Record<string, Known> = {
  ENOSPC: { cause: 'no space left on device', hint: (dir) => `Free some space on the disk that holds ${dir} (df -h ${dir}) and run the command again.` },
  EDQUOT: { cause: 'disk quota exceeded', hint: (dir) => `Free some space under your quota on the disk that holds ${dir} and run the command again.` },
  EROFS: {
    cause: 'read-only file system',
    hint: (dir) => `${dir} is on a file system mounted read-only: remount it read-write, or run fork-stack in a writable checkout.`,
  },
  EACCES: { cause: 'permission denied', hint: (dir) => `Check who owns ${dir} and its permissions (ls -ld ${dir}); fork-stack runs as ${user()}.` },
  EPERM: { cause: 'operation not permitted', hint: (dir) => `Check who owns ${dir}, its permissions and attributes (ls -ld ${dir}); fork-stack runs as ${user()}.` },
  ENOTDIR: { cause: 'a part of that path is a file, not a directory', hint: (dir) => `Move the file on the way to ${dir} elsewhere and run the command again.` },
  EISDIR: { cause: 'it is a directory', hint: () => 'Move that directory out of the way and run the command again.' },
  EEXIST: { cause: 'a file is in the way where a directory should be', hint: (dir) => `Move ${dir} elsewhere and run the command again.` },
  ENOENT: { cause: 'no such file or directory', hint: (dir) => `Check that ${dir} exists and run the command again.` },
  EMFILE: { cause: 'too many open files', hint: () => 'Raise the open-file limit (ulimit -n) and run the command again.' },
  ENFILE: { cause: 'too many open files in the system', hint: () => 'Close some programs and run the command again.' },
  EIO: { cause: 'input/output error', hint: (dir) => `The disk that holds ${dir} reported an I/O error: check it (dmesg) before running the command again.` },
  ENAMETOOLONG: { cause: 'the path is too long', hint: () => 'Use a checkout with a shorter path.' },
  ELOOP: { cause: 'too many symbolic links', hint: () => 'Check the symbolic links on that path.' },
  EBUSY: { cause: 'resource busy', hint: () => 'Another program holds it: close it and run the command again.' },
};

function user(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** A Node system error (fs, net, child_process) carrying an errno code such as ENOSPC. */
export function isErrnoError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((error as NodeJS.ErrnoException).code as string) && !isForkStackError(error);
}

/** An errno error about a file (it carries a path): the CLI's fallback turns these into clear messages. */
export function isFsError(error: unknown): error is NodeJS.ErrnoException & { path: string } {
  return isErrnoError(error) && typeof error.path === 'string';
}

function actionFor(syscall: string | undefined): FsAction {
  switch (syscall) {
    case 'read':
    case 'scandir':
    case 'stat':
    case 'lstat':
    case 'readlink':
    case 'access':
      return 'read';
    case 'unlink':
    case 'rmdir':
    case 'rm':
      return 'remove';
    case 'mkdir':
      return 'create directory';
    case 'open':
      // For reading or for writing: the syscall does not say which.
      return 'open';
    default:
      return 'write';
  }
}

/** The cause in words: "no space left on device", or Node's own words for a code not listed above. */
export function errnoCause(error: NodeJS.ErrnoException): string {
  if (error.code === 'EEXIST' && error.syscall !== 'mkdir') return 'it already exists';
  const known = error.code ? KNOWN[error.code] : undefined;
  if (known) return known.cause;
  // Node's messages read "ECODE: description, syscall 'path'".
  const m = /^E[A-Z0-9]+: ([^,]+)/.exec(error.message);
  return m?.[1] ?? error.code ?? error.message;
}

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * "could not write .env.local: no space left on device" with a hint. `file` names what fork-stack was
 * writing (the target, not its temp sibling); without it the error's own path is used. Anything that is
 * not an errno error is returned unchanged.
 */
export function fsError(error: unknown, options: { file?: string; action?: FsAction } = {}): unknown {
  if (!isErrnoError(error)) return error;
  const file = options.file ?? error.path;
  if (file === undefined) return error;
  const action = options.action ?? actionFor(error.syscall);
  const what = action === 'lock' ? `could not take the lock ${shown(file)}` : `could not ${action} ${shown(file)}`;
  // A directory on the way that is in fact a file, say: name it, it is what the user must move.
  const at = error.path !== undefined && isAncestor(error.path, file) ? error.path : undefined;
  const dir = shown(at ?? (action === 'create directory' ? file : path.dirname(file)));
  const known = error.code ? KNOWN[error.code] : undefined;
  return new OperationError(`${what}: ${at ? `${shown(at)}: ` : ''}${errnoCause(error)}`, {
    hint: known?.hint(dir) ?? `Fix the problem with ${dir} and run the command again.`,
    cause: error,
  });
}

function isAncestor(candidate: string, file: string): boolean {
  const relative = path.relative(path.resolve(candidate), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Run `work`, turning an errno error into the OperationError above. */
export async function withFsErrors<T>(options: { file?: string; action?: FsAction }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fsError(error, options);
  }
}
