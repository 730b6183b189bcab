/**
 * Files that readers can trust: written to a temporary name, flushed to disk (fsync), then renamed,
 * so a file with its final name is always complete, whenever the process dies.
 */
import { open, rename, rm } from 'node:fs/promises';
import { temporaryPath } from './temporary.js';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = temporaryPath(path);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    // A write to a handle fails without a path (ENOSPC): name the file the user knows.
    const e = error as NodeJS.ErrnoException;
    if (e && typeof e === 'object' && e.path === undefined) e.path = path;
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
