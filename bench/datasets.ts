/**
 * Benchmark datasets, generated (never committed) into the scratch folder from real photos: those
 * of Debian's mate-backgrounds when installed, else the committed fixtures. Crops at varied places
 * and scales, so no two images are alike.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { PROJECT_ROOT } from '../src/version.js';
import { SCRATCH } from './util.js';

function sourcePhotos(): string[] {
  const mate = '/usr/share/backgrounds/mate/nature';
  if (existsSync(mate)) return readdirSync(mate).filter((n) => n.endsWith('.jpg')).sort().map((n) => join(mate, n));
  const fixtures = join(PROJECT_ROOT, 'fixtures', 'photos');
  return readdirSync(fixtures, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(fixtures, d.name)).map((n) => join(fixtures, d.name, n)));
}

/**
 * `count` JPEGs (quality 90) in `classes` class folders; sizes from `pick(i)`.
 * Returns the folder; reuses it when it is already complete.
 */
async function makeDataset(name: string, count: number, classes: number, pick: (i: number) => { width: number; height: number }, format: 'jpeg' | 'png' = 'jpeg'): Promise<string> {
  const dir = join(SCRATCH, 'datasets', name);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  const sources = sourcePhotos();
  const metas = await Promise.all(sources.map((s) => sharp(s).metadata()));
  for (let c = 0; c < classes; c++) mkdirSync(join(dir, `class-${c}`), { recursive: true });
  const jobs: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const s = i % sources.length;
    const { width: sw, height: sh } = metas[s] as { width: number; height: number };
    const { width, height } = pick(i);
    const scale = 0.5 + 0.5 * (((i * 7919) % 100) / 99);
    const cw = Math.max(16, Math.round(Math.min(sw, (sh * width) / height) * scale));
    const ch = Math.max(16, Math.round((cw * height) / width));
    const left = Math.floor(((sw - cw) * ((i * 104729) % 101)) / 100);
    const top = Math.floor(((sh - ch) * ((i * 1299709) % 97)) / 96);
    const crop = sharp(sources[s]).extract({ left, top, width: cw, height: Math.min(ch, sh - top) }).resize(width, height, { fit: 'fill' });
    const encoded = format === 'png' ? crop.png({ compressionLevel: 6 }) : crop.jpeg({ quality: 90 });
    jobs.push(encoded.toFile(join(dir, `class-${i % classes}`, `img-${String(i).padStart(6, '0')}.${format === 'png' ? 'png' : 'jpg'}`)));
    if (jobs.length >= 8) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
  await sharp({ create: { width: 1, height: 1, channels: 3, background: 'white' } }).png().toFile(marker);
  return dir;
}

/** Like the flowers dataset: 3,670 photos of about 500x375 in 5 classes. */
export function photos500(count = 3670): Promise<string> {
  return makeDataset(`photos-500-${count}`, count, 5, (i) => (i % 3 === 0 ? { width: 375, height: 500 } : { width: 500, height: 333 + (i % 43) }));
}

/** Large photos, 2 to 20 megapixels. */
export function photosLarge(count = 40): Promise<string> {
  const sizes = [
    { width: 1800, height: 1200 }, // 2.2 MP
    { width: 3000, height: 2000 }, // 6 MP
    { width: 4000, height: 3000 }, // 12 MP
    { width: 5400, height: 3600 }, // 19.4 MP
  ];
  return makeDataset(`photos-large-${count}`, count, 4, (i) => sizes[i % sizes.length]);
}

/** Thumbnails and crops of 96x72 (CIFAR, Tiny ImageNet, detection crops): the fixed cost per image. */
export function crops96(count = 2000, format: 'jpeg' | 'png' = 'jpeg'): Promise<string> {
  return makeDataset(`crops-96-${format}-${count}`, count, 5, () => ({ width: 96, height: 72 }), format);
}

/** Photos of 2 to 5 megapixels. */
export function photosMid(count = 60, format: 'jpeg' | 'png' = 'jpeg'): Promise<string> {
  const sizes = [{ width: 1800, height: 1200 }, { width: 2400, height: 1600 }, { width: 2592, height: 1944 }];
  return makeDataset(`photos-mid-${format}-${count}`, count, 3, (i) => sizes[i % sizes.length], format);
}

/** Phone photos of 12 to 20 megapixels. */
export function photosHuge(count = 24, format: 'jpeg' | 'png' = 'jpeg'): Promise<string> {
  const sizes = [{ width: 4032, height: 3024 }, { width: 5472, height: 3648 }];
  return makeDataset(`photos-huge-${format}-${count}`, count, 2, (i) => sizes[i % sizes.length], format);
}

/** Photos of about 500x375 as PNG (lossless sources). */
export function photos500Png(count = 600): Promise<string> {
  return makeDataset(`photos-500-png-${count}`, count, 5, (i) => (i % 3 === 0 ? { width: 375, height: 500 } : { width: 500, height: 333 + (i % 43) }), 'png');
}
