import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PipelineError } from '../errors.js';

export const RECORD_FILE_PATTERN = /\.tfrecords?(\.gz|\.gzip|\.zlib)?$/i;

/** A file, or the TFRecord files of a folder in sorted order. */
export async function listRecordFiles(target: string): Promise<string[]> {
  const info = await stat(target).catch(() => {
    throw new PipelineError('NOT_FOUND', `${target}: no such file or folder`, { path: target });
  });
  if (!info.isDirectory()) return [target];
  const names = (await readdir(target)).filter((n) => RECORD_FILE_PATTERN.test(n)).sort();
  return names.map((n) => join(target, n));
}
