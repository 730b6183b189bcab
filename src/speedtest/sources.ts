/**
 * The two datasets of the speed test as sources of decoded images, readable from any position
 * (a cache that holds the first k images resumes storage reads at k). Problems (a corrupt record,
 * an unreadable image) are reported through `onProblem` and the item is not delivered.
 */
import { readFile } from 'node:fs/promises';
import { isStorageUrl } from '../storage/url.js';
import { openUrl } from '../storage/object-store.js';
import { DEFAULT_IO_CONCURRENCY } from '../options/storage.js';
import { DEFAULT_CHANNELS } from '../options/speedtest-defaults.js';
import { decodeExample, decodeSequenceExample, type Features } from '../tfrecord/example.js';
import { readRecords } from '../tfrecord/reader.js';
import { ObjectPrefetch } from '../storage/object-prefetch.js';
import { inOrder } from '../async/in-order.js';
import { inOrderAhead } from '../async/in-order-ahead.js';
import { decodeAndFit, decodeStored, type DecodedImage } from './decode.js';
import { StageClock } from './stages.js';
import type { ProblemRow } from '../run-folder/files.js';

export interface SourceItem {
  /** Null when the item could not be read or decoded (reported through onProblem). */
  image: DecodedImage | null;
  bytesRead: number;
}

/** A problem as a source meets it: a problems.csv row (src/run-folder/files.ts) before its task is known. */
export type Problem = Omit<ProblemRow, 'task'>;

export interface ImageSource {
  /** Items in one epoch (known up front for both datasets: file list, record index). */
  readonly size: number;
  /** Items from `position` to the end of the epoch. */
  from(position: number): AsyncIterable<SourceItem>;
}

/** Image files, read, decoded and fitted to the stored size (none: their own) and channels; a few in flight (see decode.ts). */
export function imageFileSource(
  files: readonly string[],
  width: number | undefined,
  height: number | undefined,
  onProblem: (p: Problem) => void,
  clock = new StageClock(),
  channels = DEFAULT_CHANNELS,
  ioConcurrency = DEFAULT_IO_CONCURRENCY,
): ImageSource {
  // Objects (s3://, gs://): many GETs in flight hide each one's latency (--io-concurrency), a new
  // one sent as soon as any ends (a slow GET does not hold the others back: in-order-ahead.ts).
  const objects = files.length > 0 && isStorageUrl(files[0]);
  const inFlight = objects ? ioConcurrency : 4;
  const map = objects ? inOrderAhead : inOrder;
  return {
    size: files.length,
    async *from(position) {
      yield* map(files.slice(position), inFlight, async (path: string): Promise<SourceItem> => {
        let bytes: Buffer;
        const began = performance.now();
        try {
          bytes = isStorageUrl(path) ? await readObject(path) : await readFile(path);
          clock.mark('read', began, performance.now());
        } catch (error) {
          // A failed object (deleted since the listing, or failing after its retries) is a problem, counted under --max-problems.
          onProblem({
            source: path,
            offset: -1,
            error: isStorageUrl(path) ? `unreadable: ${(error as Error).message}` : `unreadable (${(error as NodeJS.ErrnoException).code})`,
          });
          return { image: null, bytesRead: 0 };
        }
        try {
          return { image: await decodeAndFit(bytes, width, height, channels, clock), bytesRead: bytes.length };
        } catch (error) {
          onProblem({ source: path, offset: -1, error: `cannot decode: ${(error as Error).message.split('\n')[0]}` });
          return { image: null, bytesRead: bytes.length };
        }
      });
    },
  };
}

function readObject(url: string): Promise<Buffer> {
  const { store, key } = openUrl(url);
  return store.get(key);
}

export interface Shard {
  path: string;
  records: number;
  /** Images in the shard when they are the frames of SequenceExamples (layout.frames); else one per record. */
  frames?: number;
  /** Frames of each record (layout.frames): a record the reader drops is that many failed reads. */
  framesPerRecord?: number[];
  /** Each record's byte offset (an uncompressed object's matching .idx): a read from record k is one ranged GET from there. */
  offsets?: number[];
}

/** Which features to read (detected once by the driver, src/tfrecord/keys.ts) and the channels to decode to. */
export interface RecordLayout {
  image: string;
  width: string | null;
  height: string | null;
  /** Undefined: each image's own channels. */
  channels?: number;
  /** The image is a feature list of SequenceExamples: one item per frame (src/tfrecord/keys.ts). */
  frames?: boolean;
}

export const DEFAULT_LAYOUT: RecordLayout = { image: 'image', width: 'width', height: 'height' };

/** TFRecord shards: framing and CRCs checked, each Example parsed, its image decoded. */
export function tfrecordSource(
  shards: readonly Shard[],
  onProblem: (p: Problem) => void,
  clock = new StageClock(),
  layout: RecordLayout = DEFAULT_LAYOUT,
): ImageSource {
  const onTiming = (what: 'read' | 'verify', start: number, end: number) => clock.mark(what === 'read' ? 'read' : 'verify_parse', start, end);
  const itemsOf = (s: Shard) => (layout.frames ? (s.frames ?? s.records) : s.records);
  const size = shards.reduce((n, s) => n + itemsOf(s), 0);
  return {
    size,
    async *from(position) {
      // Objects: the next shard's GET goes out while this one is read (its time to first byte hidden).
      const prefetch = new ObjectPrefetch();
      try {
        yield* shardItems(shards, position, { layout, onProblem, onTiming, clock, itemsOf, prefetch });
      } finally {
        prefetch.close();
      }
    },
  };
}

/** What reading the shards needs from tfrecordSource: the layout, where problems and stage times go, the GET sent ahead. */
interface ShardReading {
  layout: RecordLayout;
  onProblem: (p: Problem) => void;
  onTiming: (what: 'read' | 'verify', start: number, end: number) => void;
  clock: StageClock;
  itemsOf: (s: Shard) => number;
  prefetch: ObjectPrefetch;
}

/** The items of the shards from `position` (a cache holds those before it), shard after shard. */
async function* shardItems(shards: readonly Shard[], position: number, reading: ShardReading): AsyncGenerator<SourceItem> {
  const { layout, onProblem, onTiming, clock, itemsOf, prefetch } = reading;
  let skip = position;
  for (const [i, shard] of shards.entries()) {
    if (skip >= itemsOf(shard)) {
      skip -= itemsOf(shard);
      continue;
    }
    // A record the reader drops (its CRC failed, or the framing broke) is a failed read: it
    // keeps its position and counts towards --max-problems like an image that cannot decode.
    let dropped = 0;
    // Items of this shard met so far (records read and reads that failed).
    let met = 0;
    // An object with its index (one item per record): start at the record wanted, one ranged GET, instead of reading up to it.
    const start = !layout.frames && skip > 0 && shard.offsets && skip < shard.offsets.length ? shard.offsets[skip] : undefined;
    if (start !== undefined) {
      met = skip;
      skip = 0;
    }
    const opened = start === undefined ? prefetch.take(shard.path) : undefined;
    prefetch.prefetch(shards[i + 1]?.path);
    const records = readRecords(shard.path, {
      start,
      opened,
      onProblem: (p) => {
        dropped += layout.frames ? (shard.framesPerRecord?.[p.record] ?? 1) : 1;
        onProblem({ source: p.file, offset: p.offset, error: p.error });
      },
      onTiming,
    });
    const failedReads = function* (): Generator<SourceItem> {
      for (; dropped > 0; dropped--) {
        met++;
        if (skip > 0) skip--;
        else yield { image: null, bytesRead: 0 };
      }
    };
    for await (const record of records) {
      yield* failedReads();
      if (layout.frames) {
        // A record holds several items: skip whole records (by their frame counts, unparsed), then frames within one.
        const known = shard.framesPerRecord?.[record.index];
        if (known !== undefined && skip >= known) {
          skip -= known;
          met += known;
          continue;
        }
        const frames = decodeFrames(record.data, shard.path, record.offset, layout, onProblem, clock);
        met += frames.length;
        for (const frame of frames) {
          if (skip > 0) skip--;
          else yield frame();
        }
        continue;
      }
      met++;
      if (skip > 0) {
        skip--;
        continue;
      }
      yield decodeRecord(record.data, shard.path, record.offset, layout, onProblem, clock);
    }
    yield* failedReads();
    // Records the shard was counted with but that the reader could not reach (a compressed
    // stream that broke, a file cut since it was opened): each a failed read, never left out.
    if (met < itemsOf(shard)) {
      onProblem({
        source: shard.path,
        offset: -1,
        error: `${itemsOf(shard) - met} of its ${itemsOf(shard)} ${layout.frames ? 'frames' : 'records'} could not be read`,
      });
      dropped = itemsOf(shard) - met;
      yield* failedReads();
    }
  }
}

function decodeRecord(data: Buffer, path: string, offset: number, layout: RecordLayout, onProblem: (p: Problem) => void, clock: StageClock): SourceItem {
  const bytesRead = data.length + 16;
  try {
    const { image, width, height } = clock.time('verify_parse', () => {
      const features = decodeExample(data);
      return {
        image: bytesOf(features, layout.image),
        width: layout.width ? intOf(features, layout.width) : undefined,
        height: layout.height ? intOf(features, layout.height) : undefined,
      };
    });
    return { image: clock.time('decode', () => decodeStored(image, width, height, layout.channels)), bytesRead };
  } catch (error) {
    onProblem({ source: path, offset, error: `cannot decode record: ${(error as Error).message}` });
    return { image: null, bytesRead };
  }
}

/**
 * A SequenceExample's frames, each decoded when asked for (a skipped frame costs nothing): the
 * frame's image from the list `layout.image`, its size from the context or from lists of their own.
 * A record that does not parse is one failed item.
 */
function decodeFrames(
  data: Buffer, path: string, offset: number, layout: RecordLayout, onProblem: (p: Problem) => void, clock: StageClock,
): (() => SourceItem)[] {
  let sequence: ReturnType<typeof decodeSequenceExample>;
  try {
    sequence = clock.time('verify_parse', () => decodeSequenceExample(data));
  } catch (error) {
    return [() => (onProblem({ source: path, offset, error: `cannot decode record: ${(error as Error).message}` }), { image: null, bytesRead: data.length + 16 })];
  }
  const list = sequence.featureLists[layout.image] ?? [];
  // The record's bytes are read once: the first frame carries them.
  return list.map((_, i) => () => {
    const bytesRead = i === 0 ? data.length + 16 : 0;
    try {
      const frame: Features = { ...sequence.context };
      for (const [key, items] of Object.entries(sequence.featureLists)) if (items[i] !== undefined) frame[key] = items[i]!;
      const width = layout.width ? intOf(frame, layout.width) : undefined;
      const height = layout.height ? intOf(frame, layout.height) : undefined;
      return { image: clock.time('decode', () => decodeStored(bytesOf(frame, layout.image), width, height, layout.channels)), bytesRead };
    } catch (error) {
      onProblem({ source: path, offset, error: `frame ${i}: cannot decode: ${(error as Error).message}` });
      return { image: null, bytesRead };
    }
  });
}

function bytesOf(features: Features, key: string): Uint8Array {
  const f = features[key];
  if (!f || !('bytes' in f) || f.bytes.length === 0) throw new Error(`no bytes feature "${key}"`);
  return f.bytes[0];
}

function intOf(features: Features, key: string): number {
  const f = features[key];
  if (!f || !('int64' in f) || f.int64.length === 0) throw new Error(`no int64 feature "${key}"`);
  return Number(f.int64[0]);
}
