/**
 * Temporary file names, shared by every writer that commits by rename (output/atomic.ts, the
 * TFRecord writer): `name.tmp-<host>-<pid>`, unique among the machines of a cluster sharing the
 * output folder, so a leftover is never taken for a finished file, and recognised by TEMPORARY.
 */
import { hostname } from 'node:os';

/** What marks a temporary name: `name` + TEMPORARY_MARK + `<host>-<pid>`. */
export const TEMPORARY_MARK = '.tmp-';

/** `<host>-<pid>`: this process's part of its temporary names. */
export function temporarySuffix(): string {
  return `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}`;
}

export function temporaryPath(path: string): string {
  return `${path}${TEMPORARY_MARK}${temporarySuffix()}`;
}

/** Temporary files of writers (`name.tmp-host-pid`): never complete, always removable leftovers. */
export const TEMPORARY = new RegExp(`${TEMPORARY_MARK.replace('.', '\\.')}[^/]+$`);

/** This process's own temporary files (`name.tmp-<this host>-<this pid>`). */
export function isOwnTemporary(name: string): boolean {
  return name.endsWith(`${TEMPORARY_MARK}${temporarySuffix()}`);
}
