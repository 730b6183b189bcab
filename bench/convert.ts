/**
 * convert: ours (1 and 2 worker threads) beside the Pillow peer on the same images in the same run:
 * photos of about 500x375 and large photos (2-20 MP) to 192x192 JPEG; and peak memory of a
 * 50,000-image convert.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/version.js';
import { photos500, photosLarge } from './datasets.js';
import { pythonPeer, round, SCRATCH, writeResult } from './util.js';

interface CliConvert { images: number; seconds: number; imagesPerSecond: number; peakRssBytes: number }

function ours(input: string, workers: number, partitions: number): CliConvert {
  const out = join(SCRATCH, 'convert-out');
  rmSync(out, { recursive: true, force: true });
  const stdout = execFileSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'convert', input, '--out', out, '--workers', String(workers), '--partitions', String(partitions), '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  rmSync(out, { recursive: true, force: true });
  return JSON.parse(stdout) as CliConvert;
}

function pillow(input: string): { imagesPerSecond: number; seconds: number; images: number } {
  return JSON.parse(pythonPeer('pil_convert.py', [input, '192', '90']));
}

/** 50,000 paths by hard links to the 3,670 photos: the same per-image work, no 50,000 files to make. */
function manyImages(source: string, count: number): string {
  const dir = join(SCRATCH, 'datasets', `links-${count}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const files = readdirSync(source, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) => readdirSync(join(source, d.name)).map((n) => join(source, d.name, n)));
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
  const pillowSmall = pillow(small);
  const one = ours(small, 1, 4);
  const two = ours(small, 2, 4);
  const pillowLarge = pillow(large);
  const largeOne = ours(large, 1, 2);
  const largeTwo = ours(large, 2, 2);
  const memory = process.env.BENCH_SKIP_MEMORY ? undefined : ours(manyImages(small, 50_000), 2, 50);
  writeResult('convert', {
    photos500: {
      images: one.images,
      pillowImagesPerSecond: pillowSmall.imagesPerSecond,
      ours1WorkerImagesPerSecond: round(one.imagesPerSecond, 1),
      ours2WorkersImagesPerSecond: round(two.imagesPerSecond, 1),
      ratioOurs1VsPillow: round(one.imagesPerSecond / pillowSmall.imagesPerSecond),
      ratio2WorkersVs1: round(two.imagesPerSecond / one.imagesPerSecond),
      goal: 'ratioOurs1VsPillow >= 1 and ratio2WorkersVs1 >= 1.8',
    },
    large: {
      images: largeOne.images,
      pillowImagesPerSecond: pillowLarge.imagesPerSecond,
      ours1WorkerImagesPerSecond: round(largeOne.imagesPerSecond, 2),
      ours2WorkersImagesPerSecond: round(largeTwo.imagesPerSecond, 2),
      ratioOurs1VsPillow: round(largeOne.imagesPerSecond / pillowLarge.imagesPerSecond),
      ratioOurs2VsPillow: round(largeTwo.imagesPerSecond / pillowLarge.imagesPerSecond),
      goal: 'ratio >= 3',
    },
    memory: memory && {
      images: memory.images,
      imagesPerSecond: round(memory.imagesPerSecond, 1),
      peakRssMiB: round(memory.peakRssBytes / 2 ** 20, 0),
      goal: 'peakRssMiB < 1024',
    },
  });
}
