/**
 * speedtest: the `tfrecord` and `images` datasets on 2 threads beside torch_tfrecord.py and
 * torch_images.py with 2 workers, same files, same run; and where one thread's time goes on the
 * tfrecord path (read + CRC, Example parse, JPEG decode). Ours and each peer alternate, best of 3
 * each, CPU seconds beside wall time.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { convert } from '../src/convert/convert.js';
import { decodeStored } from '../src/speedtest/decode.js';
import { decodeExample } from '../src/tfrecord/example.js';
import { listRecordFiles } from '../src/tfrecord/files.js';
import { readRecordsFromFiles } from '../src/tfrecord/reader.js';
import { PROJECT_ROOT } from '../src/version.js';
import { compareWithBaseline, failOnRegression } from './baseline.js';
import { photos500 } from './datasets.js';
import { bestOf, PEERS, PYTHON, round, SCRATCH, timed, writeResult } from './util.js';

const ROUNDS = 3;

interface Run {
  images: number;
  seconds: number;
  imagesPerSecond: number;
  /** CPU seconds of the whole process tree (/usr/bin/time): start-up and, for ours, warm-up passes included. */
  processCpuSeconds: number;
  /** Ours only: CPU of the worker threads during the timed passes, ms an image (not libuv's pool). */
  threadCpuMsPerImage?: number;
  /** Ours only: ms an image by stage over the timed passes (read, verify + parse, decode, fit, assembly, wait). */
  stageMsPerImage?: Record<string, number>;
}

type Row = Record<string, number>;
const STAGES = ['read_ms', 'verify_parse_ms', 'decode_ms', 'fit_ms', 'assembly_ms', 'wait_ms'];

/**
 * Ours: one `pipeline speedtest`. Aggregate images/s of the timed passes only (the warm-up passes
 * are not in measurements.csv): per worker thread, its passes' images over their seconds, summed
 * over the threads (which ran side by side).
 */
function ours(args: string[]): Run {
  const out = join(SCRATCH, 'speedtest-run');
  rmSync(out, { recursive: true, force: true });
  const { cpuSeconds } = timed(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'speedtest', '--out', out, '--quiet', ...args], false);
  const rows = parse(readFileSync(join(out, 'measurements.csv')), { columns: true, cast: true }) as Row[];
  const perWorker = new Map<number, { images: number; seconds: number }>();
  for (const r of rows) {
    const w = perWorker.get(r.worker) ?? { images: 0, seconds: 0 };
    w.images += r.images;
    w.seconds += r.seconds;
    perWorker.set(r.worker, w);
  }
  const workers = [...perWorker.values()];
  const images = workers.reduce((n, w) => n + w.images, 0);
  const sum = (column: string) => rows.reduce((t, r) => t + (Number(r[column]) || 0), 0);
  return {
    images,
    seconds: round(Math.max(...workers.map((w) => w.seconds)), 3),
    imagesPerSecond: round(workers.reduce((s, w) => s + w.images / w.seconds, 0), 1),
    processCpuSeconds: round(cpuSeconds, 2),
    threadCpuMsPerImage: round(sum('thread_cpu_ms') / images, 3),
    stageMsPerImage: Object.fromEntries(STAGES.map((c) => [c.replace(/_ms$/, ''), round(sum(c) / images, 3)])),
  };
}

/** A Python peer under /usr/bin/time; null when the peers folder is absent. */
function peer(script: string, args: string[]): Run | null {
  const path = join(PEERS, script);
  if (!existsSync(path)) {
    console.error(`bench: peer ${script} not found in ${PEERS} (set PIPELINE_PEERS): skipped`);
    return null;
  }
  const { json, cpuSeconds } = timed(PYTHON, [path, ...args]);
  return { images: json.images, seconds: json.seconds, imagesPerSecond: json.imagesPerSecond, processCpuSeconds: round(cpuSeconds, 2) };
}

/** Ours and the peer alternated, ROUNDS times each; each one's best (highest images/s) run, and all runs. */
function alternate(a: () => Run, b: () => Run | null): { ours: Run; peer: Run | null; oursAll: number[]; peerAll: number[] } {
  const mine: Run[] = [];
  const theirs: Run[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    mine.push(a());
    const p = b();
    if (p) theirs.push(p);
  }
  const best = (list: Run[]) => list.reduce((x, y) => (y.imagesPerSecond > x.imagesPerSecond ? y : x));
  return {
    ours: best(mine),
    peer: theirs.length ? best(theirs) : null,
    oursAll: mine.map((r) => r.imagesPerSecond),
    peerAll: theirs.map((r) => r.imagesPerSecond),
  };
}

/** The comparison as written to the JSON: best runs, every run's images/s, ratio, goal, met. */
function compared(pair: ReturnType<typeof alternate>, peerName: string, goal: string) {
  const ratio = pair.peer ? round(pair.ours.imagesPerSecond / pair.peer.imagesPerSecond) : null;
  return {
    ours: pair.ours,
    [peerName]: pair.peer,
    oursImagesPerSecondAll: pair.oursAll,
    peerImagesPerSecondAll: pair.peerAll,
    ratio,
    goal,
    met: ratio === null ? null : ratio >= 1,
  };
}

export async function benchSpeedtest(): Promise<void> {
  const images = await photos500();
  const shards = join(SCRATCH, 'datasets', 'shards-16');
  if (!existsSync(join(shards, 'manifest.json'))) await convert({ input: images, out: shards, partitions: 16 });

  // Two tasks of the same shape on two workers: the 2-thread figure.
  const grid = ['--batch-sizes', '32', '--batch-numbers', '100,101', '--repetitions', '1,2,3', '--workers', '2', '--warmup', '1'];
  const tfrecord = alternate(() => ours(['--tfrecords', shards, '--datasets', 'tfrecord', ...grid]), () => peer('torch_tfrecord.py', [shards, '2', '32', '300']));
  const imageGrid = ['--batch-sizes', '32', '--batch-numbers', '30,31', '--repetitions', '1,2', '--workers', '2', '--warmup', '0'];
  const imageFiles = alternate(() => ours(['--images', images, '--tfrecords', shards, '--datasets', 'images', ...imageGrid]), () => peer('torch_images.py', [images, '2', '32', '60', '192']));

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

  const baseline = compareWithBaseline({
    speedtestTfrecordImagesPerSecond: tfrecord.ours.imagesPerSecond,
    speedtestImagesImagesPerSecond: imageFiles.ours.imagesPerSecond,
    ...(tfrecord.ours.threadCpuMsPerImage ? { speedtestTfrecordImagesPerThreadCpuSecond: 1000 / tfrecord.ours.threadCpuMsPerImage } : {}),
  });
  writeResult('speedtest', {
    method: `ours and the peer alternated, best of ${ROUNDS} each; images/s of timed passes only (ours: warm-up passes excluded; the peer: its one timed pass, worker start included); processCpuSeconds from /usr/bin/time over the whole process tree, start-up included`,
    tfrecord2Threads: compared(tfrecord, 'torchTfrecord2Workers', 'ratio >= 1 (the peer skips the CRC check; we do it)'),
    images2Threads: compared(imageFiles, 'torchImages2Workers', 'ratio >= 1'),
    oneThreadTfrecordMicrosecondsPerRecord: {
      records: readCrc.value,
      readAndCrc: perRecordUs(readCrc.seconds),
      exampleParse: perRecordUs(parseOnly.seconds - readCrc.seconds),
      jpegDecode: perRecordUs(full.seconds - parseOnly.seconds),
      total: perRecordUs(full.seconds),
      handOffBetweenThreads: 'none: each worker reads and decodes its own records; only result rows cross threads',
    },
    baseline,
  });
  failOnRegression(baseline);
}
