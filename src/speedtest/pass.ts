/**
 * One timed pass: `batchNumber` batches of `batchSize` decoded images, counting the images really
 * delivered, reading the dataset again from the start (another epoch) when it holds fewer.
 */
import type { DecodedImage } from './decode.js';
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

export async function timedPass(source: ImageSource, batchSize: number, batchNumber: number, cache?: DecodedCache): Promise<PassResult> {
  const wanted = batchSize * batchNumber;
  let delivered = 0;
  let bytesRead = 0;
  let epochs = 0;
  let cachedImages = 0;
  // A batch is delivered as one contiguous buffer (batch x height x width x 3), as a training step
  // receives it (tf.data's batch(), torch's collate): cached passes pay for that copy too.
  let batch: DecodedImage[] = [];
  const deliver = () => {
    const out = Buffer.allocUnsafe(batch.reduce((n, img) => n + img.pixels.length, 0));
    let at = 0;
    for (const img of batch) at += img.pixels.copy(out, at);
    delivered += batch.length;
    batch = [];
    return out;
  };
  const started = performance.now();
  while (delivered < wanted) {
    epochs++;
    let usable = 0;
    for await (const item of epoch(source, cache)) {
      bytesRead += item.bytesRead;
      if (!item.image) continue;
      usable++;
      if (item.cached) cachedImages++;
      batch.push(item.image);
      if (batch.length === batchSize) {
        deliver();
        if (delivered >= wanted) break;
      }
    }
    // A dataset with nothing readable would loop forever: stop, and count what was delivered.
    if (usable === 0) break;
  }
  if (batch.length > 0) deliver();
  return { images: delivered, seconds: (performance.now() - started) / 1000, bytesRead, epochs, cachedImages };
}
