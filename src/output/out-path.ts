/**
 * `--out` must name a folder of its own: an empty value (which `resolve` turns into the current
 * directory) or a root-ish folder (/, the home directory) would mix a run with unrelated files.
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { parse, resolve } from 'node:path';
import { PipelineError, usageError } from '../errors.js';

export function checkOutPath(value: string | undefined, option = '--out'): string {
  if (value === undefined || value.trim() === '') throw usageError(option, 'a folder to write the run into', value ?? '');
  const path = resolve(value);
  if (path === parse(path).root || path === resolve(homedir())) throw usageError(option, 'a folder of its own, not the root or home folder', value);
  return path;
}

/**
 * Creates the folder `path` (and its parents) for files a command writes beside no run of its own
 * (compare, report --out). A file in the way is a usage error naming it, not a stack trace.
 */
export async function makeOutFolder(path: string, option = '--out'): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EEXIST') throw usageError(option, 'a folder', `${path} (a file)`);
    if (e.code === 'ENOTDIR') throw usageError(option, 'a folder', `${path} (below a file)`);
    throw new PipelineError('OUTPUT', `${option} ${path}: cannot create the folder: ${e.code ?? e.message}`, { path, cause: error });
  }
}
