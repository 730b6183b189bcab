/**
 * Exit codes are decided here and only here (DESIGN.md): 0 success, 1 internal error (stack
 * printed), 2 usage, 3 data error under --strict or integrity failure, 128 + signal after a clean stop.
 */
import { PipelineError } from '../errors.js';

export const EXIT = { ok: 0, internal: 1, usage: 2, data: 3, sigint: 130, sigterm: 143 } as const;

export function exitCodeFor(error: unknown, signal?: NodeJS.Signals): number {
  if (signal === 'SIGINT') return EXIT.sigint;
  if (signal === 'SIGTERM') return EXIT.sigterm;
  if (error instanceof PipelineError) {
    switch (error.code) {
      case 'USAGE':
      case 'NOT_FOUND':
      case 'PIPELINE_FILE':
        return EXIT.usage;
      case 'ABORTED':
        return EXIT.sigint;
      default:
        return EXIT.data;
    }
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  // Expected environment failures: one clear line, no stack.
  if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS' || code === 'EDQUOT') return EXIT.data;
  return EXIT.internal;
}

/** One line for expected failures, the stack for bugs. */
export function describeFailure(error: unknown, exitCode: number): string {
  if (exitCode === EXIT.internal) return `pipeline: internal error (a bug, please report it):\n${(error as Error)?.stack ?? String(error)}`;
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return `pipeline: no space left on the device while writing ${e.path ?? 'output'}`;
  if (e?.code === 'EROFS') return `pipeline: cannot write ${e.path ?? 'output'}: read-only file system`;
  if (e?.code === 'EACCES') return `pipeline: cannot ${accessVerb(e.syscall)} ${e.path ?? 'a file'}: permission denied`;
  return `pipeline: ${e?.message ?? String(error)}`;
}

/** What was refused, from the system call that failed: a failed read must not say "cannot write". */
function accessVerb(syscall: string | undefined): string {
  switch (syscall) {
    case 'read':
    case 'scandir':
    case 'opendir':
    case 'readdir':
    case 'stat':
    case 'lstat':
    case 'access':
    case 'copyfile':
      return 'read';
    case 'write':
    case 'mkdir':
    case 'rename':
    case 'unlink':
    case 'rmdir':
    case 'rm':
    case 'link':
    case 'symlink':
    case 'utime':
    case 'chmod':
      return 'write';
    default:
      // open: the flags are not in the error; say what is known.
      return 'open';
  }
}
