/**
 * `npm run bench -- convert-big-photos`: issue 23's big-photo sets as a user converts them, with the
 * default --partitions (about 1,000 records a shard: 150 photos of 2-5 MP or 80 of 12-20 MP are ONE
 * partition, one worker thread). The whole `pipeline convert` command with big decodes on libuv's
 * pool (the default) and kept on the worker thread (PIPELINE_SYNC_JPEG=1, the path before it),
 * against the OpenCV pool (fast_convert_pool.py cv2), on 2 and 1 workers / processes, alternated,
 * best of BENCH_ROUNDS (3). The convert sweep (bench/convert-sweep.ts) runs 4 partitions a worker
 * and so never sees the one-partition case.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/version.js';
import { photosHuge, photosMid } from './datasets.js';
import { PEERS, PYTHON, round, timed, writeResult } from './util.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Run { imagesPerSecond: number; cpuSeconds: number; processSeconds: number }

/** Our convert, default partitions; `onThread`: every decode on the worker thread (PIPELINE_SYNC_JPEG=1). */
function ours(input: string, workers: number, onThread: boolean, out: string): Run {
  rmSync(out, { recursive: true, force: true });
  const before = process.env.PIPELINE_SYNC_JPEG;
  process.env.PIPELINE_SYNC_JPEG = onThread ? '1' : '';
  try {
    const { json, cpuSeconds, wallSeconds } = timed(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'convert', input, '--out', out, '--size', '192x192', '--workers', String(workers), '--json', '--quiet']);
    return { imagesPerSecond: json.imagesPerSecond, cpuSeconds, processSeconds: wallSeconds };
  } finally {
    if (before === undefined) delete process.env.PIPELINE_SYNC_JPEG;
    else process.env.PIPELINE_SYNC_JPEG = before;
    rmSync(out, { recursive: true, force: true });
  }
}

function opencv(input: string, processes: number): Run {
  const { json, cpuSeconds, wallSeconds } = timed(PYTHON, [join(PEERS, 'fast_convert_pool.py'), 'cv2', input, String(processes), '192', '90']);
  return { imagesPerSecond: json.imagesPerSecond, cpuSeconds, processSeconds: wallSeconds };
}

/** Each run `ROUNDS` times, alternated; each one's best images/s, lowest CPU, shortest process. */
function alternate(runs: Record<string, () => Run>) {
  const all: Record<string, Run[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let i = 0; i < ROUNDS; i++) for (const [k, run] of Object.entries(runs)) all[k].push(run());
  return Object.fromEntries(Object.entries(all).map(([k, list]) => [k, {
    imagesPerSecond: round(Math.max(...list.map((r) => r.imagesPerSecond)), 1),
    cpuSeconds: round(Math.min(...list.map((r) => r.cpuSeconds))),
    processSeconds: round(Math.min(...list.map((r) => r.processSeconds)), 3),
    all: list.map((r) => round(r.imagesPerSecond, 1)),
  }]));
}

export async function benchConvertBigPhotos(): Promise<void> {
  const out = join(process.env.BENCH_OUT_DIR ?? mkdtempSync(join(tmpdir(), 'convert-big-photos-')), 'out');
  const cases = [
    { name: 'photos 2-5 MP JPEG -> 192 (150, one partition)', input: await photosMid(150) },
    { name: 'photos 12-20 MP JPEG -> 192 (80, one partition)', input: await photosHuge(80) },
  ];
  const loadBefore = loadavg().map((x) => round(x));
  const results = cases.map((c) => {
    const runs = alternate({
      offThread2: () => ours(c.input, 2, false, out),
      onThread2: () => ours(c.input, 2, true, out),
      opencv2: () => opencv(c.input, 2),
      offThread1: () => ours(c.input, 1, false, out),
      onThread1: () => ours(c.input, 1, true, out),
      opencv1: () => opencv(c.input, 1),
    });
    const ratio = (a: string, b: string) => round(runs[a].imagesPerSecond / runs[b].imagesPerSecond);
    return {
      case: c.name,
      runs,
      ratios: {
        offOverOnThread2: ratio('offThread2', 'onThread2'),
        offOverOnThread1: ratio('offThread1', 'onThread1'),
        oursOverOpencv2: ratio('offThread2', 'opencv2'),
        oursOverOpencv1: ratio('offThread1', 'opencv1'),
      },
    };
  });
  const file = writeResult('convert-big-photos', {
    name: 'convert-big-photos',
    date: new Date().toISOString(),
    method: `whole pipeline convert command (default --partitions: one partition), big decodes off the worker thread (default) and on it (PIPELINE_SYNC_JPEG=1), against fast_convert_pool.py cv2; alternated, best of ${ROUNDS}; images/s by each tool's own clock; CPU = user + system of the process tree, lowest`,
    load: { before: loadBefore, after: loadavg().map((x) => round(x)) },
    results,
  });
  console.error(`bench: wrote ${file}`);
}
