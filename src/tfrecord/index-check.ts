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
  /** The index file's text, walked line by line as records come (not split: 100,000s of strings). */
  private text = '';
  /** Where the next record's line begins in `text`. */
  private pos = 0;
  private wrong: IndexMismatch | undefined;
  private records = 0;

  private constructor(readonly index: string) {}

  /** An index file read for checking; a missing or unreadable one is a mismatch at line 0. */
  static async open(indexPath: string): Promise<IndexCheck> {
    const check = new IndexCheck(indexPath);
    try {
      check.text = await readTextAt(indexPath);
    } catch (error) {
      check.wrong = { index: indexPath, line: 0, error: `missing or unreadable index (${(error as NodeJS.ErrnoException).code})` };
    }
    return check;
  }

  /** The index file could not be read (`end` says why). */
  get unreadable(): boolean {
    return this.text.length === 0 && this.wrong !== undefined;
  }

  /** Whether a line begins at `pos` (a final newline ends the last line, it does not begin one). */
  private hasLine(): boolean {
    return this.pos < this.text.length;
  }

  /** The line beginning at `pos`, without its newline. */
  private lineEnd(): number {
    const end = this.text.indexOf('\n', this.pos);
    return end < 0 ? this.text.length : end;
  }

  readonly frame = (index: number, offset: number, frameBytes: number): void => {
    this.records = index + 1;
    if (this.wrong) return;
    if (!this.hasLine()) {
      this.wrong = { index: this.index, line: index + 1, error: `missing: expected "${offset} ${frameBytes}" for record ${index}, the index ends` };
      return;
    }
    const end = this.lineEnd();
    const start = this.pos;
    this.pos = end + 1;
    if (lineIs(this.text, start, end, offset, frameBytes)) return;
    // Not written as we write it; blanks around it are still the same numbers.
    const expected = `${offset} ${frameBytes}`;
    const line = this.text.slice(start, end);
    if (line.trim() !== expected) this.wrong = { index: this.index, line: index + 1, error: `expected "${expected}" for record ${index}, got ${JSON.stringify(line)}` };
  };

  end(): IndexMismatch | undefined {
    if (!this.wrong && this.hasLine()) {
      this.wrong = { index: this.index, line: this.records + 1, error: `the shard has ${this.records} records, the index has more lines: ${JSON.stringify(this.text.slice(this.pos, this.lineEnd()))}` };
    }
    return this.wrong;
  }
}

/** Whether text[start, end) is exactly "offset length" (digits, one space), read without making strings: 100,000s of lines a second. */
function lineIs(text: string, start: number, end: number, offset: number, length: number): boolean {
  let i = start;
  let a = 0;
  let b = 0;
  for (; i < end && text.charCodeAt(i) !== 32; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    a = a * 10 + d;
  }
  // No leading zeros ("012" is not how 12 is written), no empty number.
  if (i === start || i >= end - 1 || (text.charCodeAt(start) === 48 && i > start + 1) || (text.charCodeAt(i + 1) === 48 && i + 2 < end)) return false;
  for (i++; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
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
