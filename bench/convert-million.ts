/**
 * `npm run bench -- convert-million`: 1,000,000 images of 96x72 (hard links to 2,000 crops, five
 * class folders of 200,000: a million real directory entries and the same per-image work, without
 * a million files' worth of disk) converted to 32x32 with 2 workers: peak RSS (goal under 1 GiB)
 * and the rate against a 10,000-image run of the same images in the same run (goal at least 80%).
 * About 10 minutes on 2 cores (making the links once: about a minute); BENCH_IMAGES sets another
 * count. The load average before and after is recorded: the rate depends on it, peak RSS does not.
 * Writes reports/bench/convert-million.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { PROJECT_ROOT } from '../src/version.js';
import { crops96 } from './datasets.js';
import { round, SCRATCH, timed, writeResult } from './util.js';

/** `count` paths by hard links to the crops, 5 class folders. */
function links(source: string, count: number): string {
  const dir = join(SCRATCH, 'datasets', `crop-links-${count}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const files = readdirSync(source, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(source, d.name)).map((n) => join(source, d.name, n)));
  for (let i = 0; i < count; i++) {
    const cls = join(dir, `class-${i % 5}`);
    if (i < 5) mkdirSync(cls, { recursive: true });
    const target = join(cls, `img-${String(i).padStart(7, '0')}.jpg`);
    if (!existsSync(target)) linkSync(files[i % files.length], target);
  }
  execFileSync('touch', [join(dir, '.complete')]);
  return dir;
}

function convert(input: string) {
  const out = join(SCRATCH, 'million-out');
  rmSync(out, { recursive: true, force: true });
  const { json, cpuSeconds } = timed(process.execPath, [join(PROJECT_ROOT, 'bin', 'pipeline.js'), 'convert', input, '--out', out, '--size', '32x32', '--workers', '2', '--json', '--quiet']);
  rmSync(out, { recursive: true, force: true });
  return {
    images: json.images,
    imagesPerSecond: round(json.imagesPerSecond, 1),
    peakRssMiB: round(json.peakRssBytes / 2 ** 20, 0),
    cpuMsPerImage: round((cpuSeconds / json.images) * 1000, 3),
  };
}

export async function benchConvertMillion(): Promise<void> {
  const source = await crops96(2000);
  const count = Number(process.env.BENCH_IMAGES ?? 1_000_000);
  const smallInput = links(source, 10_000);
  const largeInput = links(source, count);
  const loadBefore = loadavg().map((x) => round(x, 1));
  const small = convert(smallInput);
  const large = convert(largeInput);
  const loadAfter = loadavg().map((x) => round(x, 1));
  const rateRatio = round(large.imagesPerSecond / small.imagesPerSecond);
  // Images per CPU second, large run against small: the per-image cost without the machine's
  // changing load (the 10,000-image run also carries the command's start-up, about 0.05 ms an image).
  const cpuRateRatio = round(small.cpuMsPerImage / large.cpuMsPerImage);
  writeResult('convert-million', {
    method: 'whole pipeline convert command, 2 workers, default partitions; peak RSS as the command reports it (main process and its threads); inputs are hard links to 2,000 crops of 96x72',
    loadAverage: { before: loadBefore, after: loadAfter, note: '1, 5 and 15 minute load averages of the 2-core machine, shared with other jobs: rates are comparable within this run only' },
    tenThousand: small,
    large,
    rateRatio,
    cpuRateRatio,
    goal: 'large.peakRssMiB < 1024 and rateRatio >= 0.8',
    met: large.peakRssMiB < 1024 && rateRatio >= 0.8,
  });
}
