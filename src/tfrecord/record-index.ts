/**
 * The record index: one line per record, `offset length` in decimal (the text format of DALI's
 * tfrecord2idx and of the Python `tfrecord` package). `offset` is the first header byte in the
 * uncompressed stream, `length` the whole framed record (header, data and CRCs).
 */
import { readTextAt } from '../storage/text-at.js';
import { PipelineError } from '../errors.js';

export interface IndexEntry {
  offset: number;
  length: number;
}

export function formatIndex(entries: readonly IndexEntry[]): string {
  let out = '';
  for (const e of entries) out += `${e.offset} ${e.length}\n`;
  return out;
}

export function parseIndex(text: string, path = '<index>'): IndexEntry[] {
  const entries: IndexEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const m = /^(\d+)\s+(\d+)$/.exec(line);
    if (!m) throw new PipelineError('DATA', `${path}: line ${i + 1}: expected "offset length", got ${JSON.stringify(line)}`, { path });
    entries.push({ offset: Number(m[1]), length: Number(m[2]) });
  }
  return entries;
}

export async function readIndex(path: string): Promise<IndexEntry[]> {
  return parseIndex(await readTextAt(path), path);
}

/**
 * The cheap check that an index belongs to its (uncompressed) shard: records contiguous from byte 0
 * and the last one ending at the file's end. A stale index (the shard rewritten) or another tool's
 * fails it; reading every record (`inspect --verify`) is the full check.
 */
export function indexMismatch(entries: readonly IndexEntry[], fileBytes: number): string | undefined {
  let end = 0;
  for (const [i, e] of entries.entries()) {
    if (e.offset !== end) return `entry ${i} starts at byte ${e.offset}, expected ${end}`;
    end = e.offset + e.length;
  }
  return end === fileBytes ? undefined : `its ${entries.length} records end at byte ${end}, the file has ${fileBytes}`;
}

/** The index path beside a shard: `part-00000-of-00004.tfrecord[.gz]` -> `part-00000-of-00004.idx`. */
export function indexPathFor(shardPath: string): string {
  // Other names (TFDS `x-train.tfrecord-00000-of-00016`, `.tfrec`) get the index DALI's tools name: `<file>.idx`.
  const stripped = shardPath.replace(/\.tfrecords?(\.gz|\.zlib)?$/i, '');
  return (stripped === shardPath ? shardPath.replace(/\.(gz|zlib)$/i, '') : stripped) + '.idx';
}

/**
 * Splits a file's records between `parts` readers: byte ranges [start, end) of about equal record
 * counts, each starting on a record boundary (for `readRecords`' `start` / `end`).
 */
export function splitIndex(entries: readonly IndexEntry[], parts: number): { start: number; end: number; records: number }[] {
  const ranges: { start: number; end: number; records: number }[] = [];
  for (let p = 0; p < parts; p++) {
    const from = Math.floor((p * entries.length) / parts);
    const to = Math.floor(((p + 1) * entries.length) / parts);
    if (to <= from) continue;
    ranges.push({ start: entries[from].offset, end: entries[to - 1].offset + entries[to - 1].length, records: to - from });
  }
  return ranges;
}
