/**
 * One partition -> one shard, run on a worker thread: read each image, convert it, encode a
 * tf.train.Example, write the shard and its index (temporary name, flush, rename).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { PipelineError } from '../errors.js';
import { readLock } from '../output/lock.js';
import { PROGRESS_SLOTS, throwIfStopped, type ProgressBuffer } from '../pool/protocol.js';
import type { ConvertPartitionResult, ConvertTask, ConvertTaskFile } from './task-types.js';
import { holdForTest } from '../pool/test-hold.js';
import { countedTask, tasksRunning } from '../pool/running-tasks.js';
import { stopSignal } from '../pool/stop-signal.js';
import { DEFAULT_FEATURE_KEYS } from '../options/feature-keys.js';
import { writeRecords } from '../tfrecord/writer.js';
import { convertBigImage, convertImageSync, convertRefused, ImageSkip, planBigImage, type StoredImage } from './image.js';
import { recordEncoder } from './record.js';
import type { Skip } from '../dataset/scan.js';
import { inOrder } from '../async/in-order.js';
import { inOrderAhead } from '../async/in-order-ahead.js';
import { isStorageUrl } from '../storage/url.js';
import type { RequestStatsData } from '../storage/request-stats.js';
import { finishedEntry } from './shard-entry.js';

/**
 * The object-storage code (and the AWS SDK under it, about 0.15 s of CPU to load) is imported only
 * by a task that reads or writes a bucket: a local convert's worker threads never load it.
 */
const bucketLock = () => import('../storage/bucket-lock.js');
const shardUpload = () => import('../storage/shard-upload.js');
/** Request counting too (it loads zod, about 40 ms of a thread's start-up, through the storage options). */
const requestFigures = () => import('../storage/request-figures.js');

/**
 * Images in flight per worker, for those sharp converts (its fixed per-call cost overlaps on the
 * libuv pool) and big JPEGs and PNGs (src/options/image-decode.ts), whose decodes run on libuv's
 * pool while this thread fits, encodes and writes the ones before: with one partition, every core
 * works (the pool's 4 threads are shared by all worker threads; two partitions queue 6 decodes
 * there, no more CPU). Memory: each holds its file and its decoded image (a JPEG at its DCT-scaled
 * size: about 1 MB for a 12-20 MP photo fitted to 192; a PNG at full size, 3 bytes a pixel, plus
 * its inflated data while it decodes; at most 16 MP, 48 MB, either way), so at most 3 of each per
 * worker thread. Other plain images are converted on this thread as they are read.
 */
const IN_FLIGHT = 3;
/**
 * Images in flight per worker when they are objects: a GET's latency (tens of ms) is hidden behind
 * others. Finished ones wait for their turn at most 2x this many images past the oldest (memory bound).
 */
const OBJECT_IN_FLIGHT = 16;
/**
 * Big decodes leave the worker thread only while this process's pool runs fewer tasks than it has
 * cores: then a core would idle (one partition of big photos). With every core running a partition
 * already, the hand-offs to libuv's pool only add threads competing for the same cores (the size
 * sweep's 4 partitions a worker ran 0.93x slower with them). The bytes are the same either way.
 */
const CORES = availableParallelism();

export async function convertPartition(task: ConvertTask, progressBuffer: ProgressBuffer): Promise<ConvertPartitionResult> {
  // Counted among the pool's running tasks, for the big decodes' choice of thread (CORES above).
  return countedTask(() => convertOnePartition(task, progressBuffer));
}

async function convertOnePartition(task: ConvertTask, progressBuffer: ProgressBuffer): Promise<ConvertPartitionResult> {
  const started = performance.now();
  const figures = task.files.some((f) => isStorageUrl(f.path)) || isStorageUrl(task.shardPath) ? await requestFigures() : undefined;
  const requestsBefore = figures?.requestMark();
  const skipped: Skip[] = [];
  const progress = new Int32Array(progressBuffer);
  const encode = await recordEncoder(task.keys ?? DEFAULT_FEATURE_KEYS);
  const examples = async function* () {
    // Objects: a new GET as soon as any ends, results still in order (a slow GET does not hold the
    // others back: src/async/in-order-ahead.ts), as the speed test's bucket source reads them.
    const objects = task.files.some((f) => isStorageUrl(f.path));
    const map = objects ? inOrderAhead : inOrder;
    for await (const { file, image, inputBytes } of map(task.files, objects ? OBJECT_IN_FLIGHT : IN_FLIGHT, (file) => load(file, task))) {
      Atomics.add(progress, PROGRESS_SLOTS.items, 1);
      Atomics.add(progress, PROGRESS_SLOTS.kilobytes, Math.round(inputBytes / 1024));
      await holdForTest(progressBuffer);
      // Leaving the loop awaits the images in flight (inOrder, inOrderAhead), and the writer removes its temporary file.
      throwIfStopped(progressBuffer);
      if (typeof image === 'string') {
        skipped.push({ path: file.rel, reason: image });
        continue;
      }
      yield encode(image, file);
    }
  };
  const run = task.run;
  // A worker never commits a shard for a run that no longer owns the folder (a stopped driver,
  // a newer run): the lock names the current run. Checked before the work and before the commit.
  const beforeCommit = run ? async () => {
    const holder = isStorageUrl(run.dir) ? await (await bucketLock()).readBucketLock(run.dir, task.storage) : await readLock(run.dir);
    if (holder?.runId !== run.id) throw new PipelineError('STALE_RUN', `run ${run.id} no longer owns ${run.dir} (now: ${holder ? `run ${holder.runId}` : 'no run'}); shard not committed`, { path: task.shardPath });
  } : undefined;
  throwIfStopped(progressBuffer);
  await beforeCommit?.();
  // s3:// output: written and checked locally, then uploaded (the object appears only complete).
  const upload = isStorageUrl(task.shardPath) ? await shardUpload() : undefined;
  const written = upload
    ? await upload.withLocalShard(task.shardPath, async (shard, index) => {
      const result = await writeRecords(shard, examples(), { compression: task.compression, indexPath: index, beforeCommit });
      // A stop (SIGINT) aborts the upload midway instead of waiting for it to finish.
      const stop = stopSignal(progressBuffer);
      try {
        await upload.uploadShard({ shard, index }, { shard: task.shardPath, index: task.indexPath }, task.storage, stop.signal);
      } finally {
        stop.dispose();
      }
      return { ...result, path: task.shardPath };
    })
    : await writeRecords(task.shardPath, examples(), { compression: task.compression, indexPath: task.indexPath, beforeCommit });
  return {
    entry: finishedEntry(task, written, skipped),
    seconds: (performance.now() - started) / 1000,
    ...(figures && requestsBefore ? requestsOfTask(figures, requestsBefore) : {}),
  };
}

/** The task's requests to object storage, when it made any (a local convert makes none). */
function requestsOfTask(figures: Awaited<ReturnType<typeof requestFigures>>, before: RequestStatsData): { requests?: RequestStatsData } {
  const requests = figures.requestsSince(before);
  return Object.values(requests.counts).some((n) => n > 0) ? { requests } : {};
}

/** An image converted, or the reason it was skipped. */
async function load(file: ConvertTaskFile, task: ConvertTask): Promise<{ file: ConvertTaskFile; image: StoredImage | string; inputBytes: number }> {
  let input: Buffer;
  if (isStorageUrl(file.path)) {
    const read = await (await shardUpload()).readImageObject(file.path, task.storage);
    if (typeof read === 'string') return { file, image: read, inputBytes: 0 };
    input = read;
  } else try {
    // Synchronous: an image file is read from the page cache in microseconds, where readFile's
    // four round trips through libuv's pool (open, stat, read, close) cost thread wake-ups.
    input = readSmallFile(file.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'vanished during the run (ENOENT)' : `unreadable (${code})`;
    return { file, image: reason, inputBytes: 0 };
  }
  try {
    // A big JPEG's or PNG's decode goes to libuv's pool (IN_FLIGHT above); every other plain image is done here and now.
    const big = input.length > 0 && tasksRunning() < CORES ? planBigImage(input, task.image) : undefined;
    const image = input.length > 0 && !big ? convertImageSync(input, task.image) : undefined;
    if (image) return { file, image, inputBytes: input.length };
    // The asynchronous paths get their own copy of a file read into the shared buffer.
    const own = input.buffer === readBuffer.buffer ? Buffer.from(input) : input;
    return { file, image: await (big ? convertBigImage(own, big, task.image) : convertRefused(own, task.image)), inputBytes: input.length };
  } catch (error) {
    if (error instanceof ImageSkip) return { file, image: error.message, inputBytes: input.length };
    throw error;
  }
}

/**
 * Small files are read into one buffer reused from image to image (valid until the next read on
 * this thread): readFileSync's fstat and fresh buffer per file cost about half of a small file's
 * read (7 against 3 us for a 3 KB crop) and feed the garbage collector. A file bigger than the
 * buffer gets a buffer of its own.
 */
const READ_BUFFER_BYTES = 1 << 20;
const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

function readSmallFile(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    let bytes = 0;
    for (let n; bytes < readBuffer.length && (n = readSync(fd, readBuffer, bytes, readBuffer.length - bytes, null)) > 0;) bytes += n;
    if (bytes < readBuffer.length) return readBuffer.subarray(0, bytes);
    // A bigger file: the rest read after what is already in, into a buffer of its own.
    const chunks = [Buffer.from(readBuffer)];
    let chunk = Buffer.allocUnsafe(Math.max(fstatSync(fd).size - bytes, READ_BUFFER_BYTES));
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; chunk = Buffer.allocUnsafe(READ_BUFFER_BYTES)) chunks.push(chunk.subarray(0, n));
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}
