/**
 * Checks a record index (`.idx`) against its shard: line i must be `offset length` of record i, and
 * there must be exactly one line per record. A wrong index sends a reader (DALI, the Python
 * `tfrecord` package, our split readers) to the wrong bytes, so it is data corruption like a bad CRC.
 */
import { readTextAt } from '../storage/text-at.js';
import { readRecords } from './reader.js';

export interface IndexMismatch {
  index: string;
  /** 1-based line of the index file. */
  line: number;
  error: string;
}

/**
 * Checks an index against the records of its shard as they are read (`readRecords`' `onFrame`), so
 * `inspect --verify` reads the shard once. `frame` is told every framed record in order; `end` gives
 * the first wrong line, or undefined when the index matches.
 */
export class IndexCheck {
  private lines: string[] = [];
  private wrong: IndexMismatch | undefined;
  private records = 0;

  private constructor(readonly index: string) {}

  /** An index file read for checking; a missing or unreadable one is a mismatch at line 0. */
  static async open(indexPath: string): Promise<IndexCheck> {
    const check = new IndexCheck(indexPath);
    try {
      check.lines = (await readTextAt(indexPath)).split('\n');
      if (check.lines.at(-1) === '') check.lines.pop();
    } catch (error) {
      check.wrong = { index: indexPath, line: 0, error: `missing or unreadable index (${(error as NodeJS.ErrnoException).code})` };
    }
    return check;
  }

  /** The index file could not be read (`end` says why). */
  get unreadable(): boolean {
    return this.lines.length === 0 && this.wrong !== undefined;
  }

  readonly frame = (index: number, offset: number, frameBytes: number): void => {
    this.records = index + 1;
    if (this.wrong) return;
    if (index < this.lines.length && lineIs(this.lines[index], offset, frameBytes)) return;
    const expected = `${offset} ${frameBytes}`;
    if (index >= this.lines.length) this.wrong = { index: this.index, line: index + 1, error: `missing: expected "${expected}" for record ${index}, the index ends` };
    else if (this.lines[index].trim() !== expected) this.wrong = { index: this.index, line: index + 1, error: `expected "${expected}" for record ${index}, got ${JSON.stringify(this.lines[index])}` };
  };

  end(): IndexMismatch | undefined {
    if (!this.wrong && this.records < this.lines.length) {
      this.wrong = { index: this.index, line: this.records + 1, error: `the shard has ${this.records} records, the index has more lines: ${JSON.stringify(this.lines[this.records])}` };
    }
    return this.wrong;
  }
}

/** Whether `line` is exactly "offset length" (digits, one space), read without making strings: 100,000s of lines a second. */
function lineIs(line: string, offset: number, length: number): boolean {
  let i = 0;
  let a = 0;
  let b = 0;
  for (; i < line.length && line.charCodeAt(i) !== 32; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    a = a * 10 + d;
  }
  // No leading zeros ("012" is not how 12 is written), no empty number.
  if (i === 0 || i >= line.length - 1 || (line.charCodeAt(0) === 48 && i > 1) || (line.charCodeAt(i + 1) === 48 && i + 2 < line.length)) return false;
  for (i++; i < line.length; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    b = b * 10 + d;
  }
  return a === offset && b === length;
}

/** The first wrong line of `indexPath`, or undefined when the index matches the shard (reads the shard). */
export async function checkIndex(shardPath: string, indexPath: string, signal?: AbortSignal): Promise<IndexMismatch | undefined> {
  const check = await IndexCheck.open(indexPath);
  if (check.unreadable) return check.end();
  // Framing only (no data CRC): the index is about where records are, the CRCs are checked elsewhere.
  for await (const _ of readRecords(shardPath, { verify: false, onProblem: () => undefined, signal, onFrame: check.frame, transient: true }));
  return check.end();
}
