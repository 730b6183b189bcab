/**
 * One timed pass: `batchNumber` batches of `batchSize` decoded images, counting the images really
 * delivered, reading the dataset again from the start (another epoch) when it holds fewer.
 */
import { readFileSync } from 'node:fs';
import { PipelineError } from '../errors.js';
import { MAX_BATCH_BYTES } from '../options/speedtest.js';
import { threadCpuMs } from '../monitor/proc.js';
import type { DecodedImage } from './decode.js';
import { attribute, StageClock, type StageTimes } from './stages.js';
import type { ImageSource, SourceItem } from './sources.js';

/**
 * tf.data's cache(): decoded images by position, filled in order by the passes that read them from
 * storage, up to `limitBytes`. Positions that failed to decode are kept as null (they cost nothing
 * and keep the prefix whole).
 */
export class DecodedCache {
  private readonly items: (DecodedImage | null)[] = [];
  private bytes = 0;
  full = false;

  constructor(private readonly limitBytes: number) {}

  get length(): number {
    return this.items.length;
  }

  at(position: number): DecodedImage | null {
    return this.items[position];
  }

  offer(position: number, image: DecodedImage | null): void {
    if (this.full || position !== this.items.length) return;
    const size = image?.pixels.length ?? 0;
    if (this.bytes + size > this.limitBytes) {
      this.full = true;
      return;
    }
    this.items.push(image);
    this.bytes += size;
  }

  get sizeBytes(): number {
    return this.bytes;
  }
}

export interface PassResult {
  images: number;
  seconds: number;
  bytesRead: number;
  epochs: number;
  cachedImages: number;
  /** performance.now() at the pass's start and at its last delivered image (its clock). */
  startedAt: number;
  endedAt: number;
  /** From the start to the first complete batch, ms (start-up, cold cache); NaN if none. */
  firstBatchMs: number;
  /** Images of the first batch (a short dataset's first batch can be partial). */
  firstBatchImages: number;
  stages: StageTimes;
  /** CPU of this thread during the pass, ms (NaN where /proc is missing). */
  threadCpuMs: number;
}

async function* epoch(source: ImageSource, cache: DecodedCache | undefined): AsyncGenerator<SourceItem & { cached: boolean }> {
  let position = 0;
  if (cache) {
    for (; position < cache.length && position < source.size; position++) yield { image: cache.at(position), bytesRead: 0, cached: true };
  }
  if (position >= source.size) return;
  for await (const item of source.from(position)) {
    cache?.offer(position++, item.image);
    yield { ...item, cached: false };
  }
}

const readSchedstat = () => readFileSync('/proc/thread-self/schedstat', 'latin1');

/** The batch's pixels in one buffer, image after image. */
function contiguous(batch: readonly DecodedImage[]): Buffer {
  const out = Buffer.allocUnsafe(batch.reduce((n, img) => n + img.pixels.length, 0));
  let at = 0;
  for (const img of batch) at += img.pixels.copy(out, at);
  return out;
}

/**
 * One timed pass. Its clock runs from the first request to the last delivered image; when the pass
 * has its images it leaves the source, which waits for the reads and decodes still in flight
 * (src/async/in-order.ts) after the clock has stopped, so the next pass never pays for them.
 */
export async function timedPass(
  source: ImageSource, batchSize: number, batchNumber: number, cache?: DecodedCache, clock = new StageClock(), hooks: PassHooks = {},
): Promise<PassResult> {
  const wanted = batchSize * batchNumber;
  let delivered = 0;
  let bytesRead = 0;
  let epochs = 0;
  let cachedImages = 0;
  let firstBatchAt = NaN;
  let firstBatchImages = 0;
  // A batch is delivered as one contiguous buffer (batch x height x width x 3), as a training step
  // receives it (tf.data's batch(), torch's collate): cached passes pay for that copy too.
  let batch: DecodedImage[] = [];
  let batchBytes = 0;
  const deliver = () => {
    const start = performance.now();
    const out = contiguous(batch);
    const end = performance.now();
    clock.mark('assembly', start, end);
    if (delivered === 0) {
      firstBatchAt = end;
      firstBatchImages = batch.length;
    }
    delivered += batch.length;
    hooks.onImages?.(batch.length);
    batch = [];
    batchBytes = 0;
    return out;
  };
  clock.reset();
  const cpuBefore = threadCpuMs(readSchedstat);
  const started = performance.now();
  let ended: number | undefined;
  while (delivered < wanted) {
    epochs++;
    let usable = 0;
    for await (const item of epoch(source, cache)) {
      // Checked at every image, not only between passes: one pass may hold millions of images.
      hooks.checkStop?.();
      bytesRead += item.bytesRead;
      if (!item.image) continue;
      usable++;
      if (item.cached) cachedImages++;
      batch.push(item.image);
      batchBytes += item.image.pixels.length;
      // A batch is held whole before it is delivered: its memory is bounded (README: limits of speedtest).
      if (batchBytes > MAX_BATCH_BYTES) throw new PipelineError('USAGE', `--batch-sizes ${batchSize}: a batch of these images (${item.image.pixels.length} bytes each decoded) would exceed the ${MAX_BATCH_BYTES / 2 ** 30} GiB a batch may hold; use a smaller batch size`);
      if (batch.length === batchSize) {
        deliver();
        if (delivered >= wanted) {
          // The clock stops here; `break` then drains the source (for-await awaits its return()).
          ended = performance.now();
          break;
        }
      }
    }
    // A dataset with nothing readable would loop forever: stop, and count what was delivered.
    if (usable === 0) break;
  }
  if (batch.length > 0) deliver();
  ended ??= performance.now();
  const threadCpu = threadCpuMs(readSchedstat) - cpuBefore;
  return {
    images: delivered,
    seconds: (ended - started) / 1000,
    bytesRead,
    epochs,
    cachedImages,
    startedAt: started,
    endedAt: ended,
    firstBatchMs: firstBatchAt - started,
    firstBatchImages,
    stages: attribute(clock.intervals(), started, ended),
    threadCpuMs: threadCpu,
  };
}

export interface PassHooks {
  /** Called before each image; throws to stop the pass (the run is ending). */
  checkStop?: () => void;
  /** Called with the images of each delivered batch (progress). */
  onImages?: (images: number) => void;
}

export interface PassPlan {
  batchSize: number;
  batchNumber: number;
  warmup: number;
  repetitions: number;
  cache?: DecodedCache;
  clock?: StageClock;
  /** Called before each pass and each image; throws to stop the task (the run is ending). */
  checkStop?: () => void;
  onImages?: (images: number) => void;
}

/**
 * A task's passes: `warmup` passes whose results are dropped (with the cache on they fill it),
 * then one timed pass per repetition. Each pass starts after the previous one has drained, so
 * no pass's clock or counts include another's work.
 */
export async function runPasses(source: ImageSource, plan: PassPlan): Promise<PassResult[]> {
  const clock = plan.clock ?? new StageClock();
  const pass = () => {
    plan.checkStop?.();
    return timedPass(source, plan.batchSize, plan.batchNumber, plan.cache, clock, plan);
  };
  for (let w = 0; w < plan.warmup; w++) await pass();
  const results: PassResult[] = [];
  for (let r = 0; r < plan.repetitions; r++) results.push(await pass());
  return results;
}
