/**
 * Checks a record index (`.idx`) against its shard: line i must be `offset length` of record i, and
 * there must be exactly one line per record. A wrong index sends a reader (DALI, the Python
 * `tfrecord` package, our split readers) to the wrong bytes, so it is data corruption like a bad CRC.
 */
import { readFile } from 'node:fs/promises';
import { FRAME_OVERHEAD } from './framing.js';
import { readRecords } from './reader.js';

export interface IndexMismatch {
  index: string;
  /** 1-based line of the index file. */
  line: number;
  error: string;
}

/** The first wrong line of `indexPath`, or undefined when the index matches the shard. */
export async function checkIndex(shardPath: string, indexPath: string, signal?: AbortSignal): Promise<IndexMismatch | undefined> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    return { index: indexPath, line: 0, error: `missing or unreadable index (${(error as NodeJS.ErrnoException).code})` };
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let i = 0;
  // Framing only (no data CRC): the index is about where records are, the CRCs are checked elsewhere.
  for await (const record of readRecords(shardPath, { verify: false, onProblem: () => undefined, signal })) {
    const expected = `${record.offset} ${FRAME_OVERHEAD + record.data.length}`;
    if (i >= lines.length) return { index: indexPath, line: i + 1, error: `missing: expected "${expected}" for record ${i}, the index ends` };
    if (lines[i].trim() !== expected) return { index: indexPath, line: i + 1, error: `expected "${expected}" for record ${i}, got ${JSON.stringify(lines[i])}` };
    i++;
  }
  if (i < lines.length) return { index: indexPath, line: i + 1, error: `the shard has ${i} records, the index has more lines: ${JSON.stringify(lines[i])}` };
  return undefined;
}
