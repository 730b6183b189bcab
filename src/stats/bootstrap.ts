/**
 * Percentile bootstrap intervals with a fixed seed, so a report is the same on every run. The
 * generator is mulberry32 (32-bit state, a few lines, easy to reproduce elsewhere: the test
 * re-implements it in Python and gets the same intervals from numpy). Pure.
 */
import { medianInPlace } from './median.js';

export const BOOTSTRAP = { resamples: 2000, seed: 20240917, level: 0.95 } as const;

/** mulberry32: uniform numbers in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


/** numpy's default (linear) percentile of sorted values, q in [0, 1]. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** A resample with replacement into `into` (reused: no array per resample). */
function resample(values: readonly number[], random: () => number, into: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) into[i] = values[Math.floor(random() * values.length)];
  return into;
}

function interval(stats: number[]): [number, number] {
  stats.sort((a, b) => a - b);
  const tail = (1 - BOOTSTRAP.level) / 2;
  return [quantileSorted(stats, tail), quantileSorted(stats, 1 - tail)];
}

/** 95% interval of the median; null with fewer than 2 values. */
export function medianInterval(values: readonly number[], seed: number = BOOTSTRAP.seed): [number, number] | null {
  if (values.length < 2) return null;
  const random = mulberry32(seed);
  const scratch = new Float64Array(values.length);
  return interval(Array.from({ length: BOOTSTRAP.resamples }, () => medianInPlace(resample(values, random, scratch))));
}

/** 95% interval of median(b) / median(a), each resampled on its own (a first, then b, per resample). */
export function medianRatioInterval(a: readonly number[], b: readonly number[], seed: number = BOOTSTRAP.seed): [number, number] | null {
  if (a.length < 2 || b.length < 2) return null;
  const random = mulberry32(seed);
  const scratchA = new Float64Array(a.length);
  const scratchB = new Float64Array(b.length);
  return interval(Array.from({ length: BOOTSTRAP.resamples }, () => {
    const ma = medianInPlace(resample(a, random, scratchA));
    return medianInPlace(resample(b, random, scratchB)) / ma;
  }));
}
