/**
 * `--out` must name a folder of its own: an empty value (which `resolve` turns into the current
 * directory) or a root-ish folder (/, the home directory) would mix a run with unrelated files.
 */
import { homedir } from 'node:os';
import { parse, resolve } from 'node:path';
import { usageError } from '../errors.js';

export function checkOutPath(value: string | undefined, option = '--out'): string {
  if (value === undefined || value.trim() === '') throw usageError(option, 'a folder to write the run into', value ?? '');
  const path = resolve(value);
  if (path === parse(path).root || path === resolve(homedir())) throw usageError(option, 'a folder of its own, not the root or home folder', value);
  return path;
}
