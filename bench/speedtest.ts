/**
 * speedtest: the `tfrecord` and `images` datasets on 2 threads beside torch_tfrecord.py and
 * torch_images.py with 2 workers, same files, same run; and where one thread's time goes on the
 * tfrecord path (read + CRC, Example parse, JPEG decode).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { convert } from '../src/convert/convert.js';
import { decodeStored } from '../src/speedtest/decode.js';
import { decodeExample } from '../src/tfrecord/example.js';
import { listRecordFiles } from '../src/tfrecord/files.js';
import { readRecordsFromFiles } from '../src/tfrecord/reader.js';
import { PROJECT_ROOT } from '../src/version.js';
import { photos500 } from './datasets.js';
import { bestOf, pythonPeer, round, SCRATCH, writeResult } from './util.js';

/**
 * Aggregate images/s of the timed passes only: per worker thread, its passes' images over their
 * seconds, summed over the threads (which ran side by side). Task spans are not used: they hold
 * the warm-up passes too, whose images are not counted.
 */
function ours(args: string[]): { imagesPerSecond: number; images: number; seconds: number } {
  const out = join(SCRATCH, 'speedtest-run');
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'speedtest', '--out', out, '--quiet', ...args]);
  const rows = parse(readFileSync(join(out, 'measurements.csv')), { columns: true, cast: true }) as { worker: number; images: number; seconds: number }[];
  const perWorker = new Map<number, { images: number; seconds: number }>();
  for (const r of rows) {
    const w = perWorker.get(r.worker) ?? { images: 0, seconds: 0 };
    w.images += r.images;
    w.seconds += r.seconds;
    perWorker.set(r.worker, w);
  }
  const workers = [...perWorker.values()];
  const images = workers.reduce((n, w) => n + w.images, 0);
  const imagesPerSecond = workers.reduce((s, w) => s + w.images / w.seconds, 0);
  return { images, seconds: round(Math.max(...workers.map((w) => w.seconds)), 3), imagesPerSecond: round(imagesPerSecond, 0) };
}

export async function benchSpeedtest(): Promise<void> {
  const images = await photos500();
  const shards = join(SCRATCH, 'datasets', 'shards-16');
  if (!existsSync(join(shards, 'manifest.json'))) await convert({ input: images, out: shards, partitions: 16 });

  // Two tasks of the same shape on two workers: the 2-thread figure.
  const grid = ['--batch-sizes', '32', '--batch-numbers', '100,101', '--repetitions', '1,2,3', '--workers', '2', '--warmup', '1'];
  const tfrecord = ours(['--tfrecords', shards, '--datasets', 'tfrecord', ...grid]);
  const torchTfrecord = JSON.parse(pythonPeer('torch_tfrecord.py', [shards, '2', '32', '300']));
  const imageGrid = ['--batch-sizes', '32', '--batch-numbers', '30,31', '--repetitions', '1,2', '--workers', '2', '--warmup', '0'];
  const imageFiles = ours(['--images', images, '--tfrecords', shards, '--datasets', 'images', ...imageGrid]);
  const torchImages = JSON.parse(pythonPeer('torch_images.py', [images, '2', '32', '60', '192']));

  // One thread, where the time goes on 3,670 records of 192x192 JPEGs.
  const files = await listRecordFiles(shards);
  const readCrc = await bestOf(3, async () => { let n = 0; for await (const _ of readRecordsFromFiles(files)) n++; return n; });
  const parseOnly = await bestOf(3, async () => { let n = 0; for await (const r of readRecordsFromFiles(files)) { decodeExample(r.data); n++; } return n; });
  const full = await bestOf(2, async () => {
    let n = 0;
    for await (const r of readRecordsFromFiles(files)) {
      const f = decodeExample(r.data) as Record<string, { bytes?: Uint8Array[]; int64?: bigint[] }>;
      decodeStored(f.image.bytes![0], Number(f.width.int64![0]), Number(f.height.int64![0]));
      n++;
    }
    return n;
  });
  const perRecordUs = (s: number) => round((s / readCrc.value) * 1e6, 1);

  writeResult('speedtest', {
    tfrecord2Threads: { ours: tfrecord, torchTfrecord2Workers: torchTfrecord, ratio: round(tfrecord.imagesPerSecond / torchTfrecord.imagesPerSecond), goal: 'ratio >= 1 (the peer skips the CRC check; we do it)' },
    images2Threads: { ours: imageFiles, torchImages2Workers: torchImages, ratio: round(imageFiles.imagesPerSecond / torchImages.imagesPerSecond), goal: 'ratio >= 1' },
    oneThreadTfrecordMicrosecondsPerRecord: {
      records: readCrc.value,
      readAndCrc: perRecordUs(readCrc.seconds),
      exampleParse: perRecordUs(parseOnly.seconds - readCrc.seconds),
      jpegDecode: perRecordUs(full.seconds - parseOnly.seconds),
      total: perRecordUs(full.seconds),
      handOffBetweenThreads: 'none: each worker reads and decodes its own records; only result rows cross threads',
    },
  });
}
