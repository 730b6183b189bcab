/**
 * convert beside its Pillow peers on the same images in the same run, alternating ours and the peer,
 * best of 3 each (the machine is shared: ratios, not absolute figures): the whole machine (2
 * workers vs pil_convert_pool.py with 2 processes) on photos of about 500x375 and on large photos
 * (2-20 MP) to 192x192 JPEG; one worker vs pil_convert.py in CPU seconds per image (whole
 * processes, start-up included); output quality (bench/quality.py); peak memory of a 50,000-image
 * convert.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/version.js';
import { photos500, photosLarge } from './datasets.js';
import { measureQuality } from './quality.js';
import { PEERS, PYTHON, round, SCRATCH, timed, writeResult } from './util.js';

interface Run { images: number; seconds: number; imagesPerSecond: number; cpuSeconds: number; peakRssBytes?: number }

const ROUNDS = 3;
const CONVERT_OUT = join(SCRATCH, 'convert-out');

function ours(input: string, workers: number, partitions: number, keep = false): Run {
  rmSync(CONVERT_OUT, { recursive: true, force: true });
  const { json, cpuSeconds } = timed(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'convert', input, '--out', CONVERT_OUT, '--workers', String(workers), '--partitions', String(partitions), '--json', '--quiet']);
  if (!keep) rmSync(CONVERT_OUT, { recursive: true, force: true });
  return { images: json.images, seconds: json.seconds, imagesPerSecond: json.imagesPerSecond, cpuSeconds, peakRssBytes: json.peakRssBytes };
}

/** pil_convert.py (processes 0) or pil_convert_pool.py. */
function pillow(input: string, processes: number): Run {
  const [script, args] = processes === 0 ? ['pil_convert.py', [input, '192', '90']] : ['pil_convert_pool.py', [input, String(processes), '192', '90']];
  const { json, cpuSeconds } = timed(PYTHON, [join(PEERS, script), ...args]);
  return { images: json.images, seconds: json.seconds, imagesPerSecond: json.imagesPerSecond, cpuSeconds };
}

/** Alternates the two, `ROUNDS` times each, and keeps each one's best (highest images/s) run. */
function alternate(a: () => Run, b: () => Run): [Run, Run] {
  const runs: [Run[], Run[]] = [[], []];
  for (let i = 0; i < ROUNDS; i++) {
    runs[0].push(a());
    runs[1].push(b());
  }
  const best = (list: Run[]) => list.reduce((x, y) => (y.imagesPerSecond > x.imagesPerSecond ? y : x));
  return [best(runs[0]), best(runs[1])];
}

const figures = (run: Run) => ({
  imagesPerSecond: round(run.imagesPerSecond, 1),
  seconds: round(run.seconds, 2),
  cpuMsPerImage: round((run.cpuSeconds / run.images) * 1000, 2),
});

/** 50,000 paths by hard links to the 3,670 photos: the same per-image work, no 50,000 files to make. */
function manyImages(source: string, count: number): string {
  const dir = join(SCRATCH, 'datasets', `links-${count}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const files = readdirSync(source, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(source, d.name)).map((n) => join(source, d.name, n)));
  for (let i = 0; i < count; i++) {
    const cls = join(dir, `class-${i % 5}`);
    if (i < 5) mkdirSync(cls, { recursive: true });
    const target = join(cls, `img-${String(i).padStart(6, '0')}.jpg`);
    if (!existsSync(target)) linkSync(files[i % files.length], target);
  }
  execFileSync('touch', [join(dir, '.complete')]);
  return dir;
}

export async function benchConvert(): Promise<void> {
  const small = await photos500();
  const large = await photosLarge();
  const [pool, two] = alternate(() => pillow(small, 2), () => ours(small, 2, 16));
  const [single, one] = alternate(() => pillow(small, 0), () => ours(small, 1, 16));
  const [largePool, largeTwo] = alternate(() => pillow(large, 2), () => ours(large, 2, 4));
  ours(small, 2, 16, true);
  const qualitySmall = await measureQuality(small, CONVERT_OUT, 192, 90, 10);
  ours(large, 2, 4, true);
  const qualityLarge = await measureQuality(large, CONVERT_OUT, 192, 90);
  rmSync(CONVERT_OUT, { recursive: true, force: true });
  const memory = process.env.BENCH_SKIP_MEMORY ? undefined : ours(manyImages(small, 50_000), 2, 50);
  writeResult('convert', {
    method: `ours and the peer alternated, best of ${ROUNDS} each; CPU from /usr/bin/time over the whole process tree, start-up included`,
    photos500: {
      images: two.images,
      wholeMachine: { ours2Workers: figures(two), pillowPool2Processes: figures(pool), ratio: round(two.imagesPerSecond / pool.imagesPerSecond), goal: 'ratio >= 1' },
      oneCore: { ours1Worker: figures(one), pillow1Process: figures(single), ratioCpuPerImage: round(single.cpuSeconds / single.images / (one.cpuSeconds / one.images)), goal: 'ratioCpuPerImage (Pillow CPU per image / ours) >= 1' },
      quality: { ...qualitySmall, sampled: 'every 10th image', goal: 'differenceDb >= -0.5' },
    },
    large: {
      images: largeTwo.images,
      wholeMachine: { ours2Workers: figures(largeTwo), pillowPool2Processes: figures(largePool), ratio: round(largeTwo.imagesPerSecond / largePool.imagesPerSecond), goal: 'ratio >= 3' },
      quality: { ...qualityLarge, goal: 'differenceDb >= -0.5' },
    },
    memory: memory && {
      images: memory.images,
      imagesPerSecond: round(memory.imagesPerSecond, 1),
      peakRssMiB: round(memory.peakRssBytes! / 2 ** 20, 0),
      goal: 'peakRssMiB < 1024',
    },
  });
}
