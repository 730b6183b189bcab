/**
 * sharp, loaded on first use: a thread whose images all take the synchronous paths (plain JPEG,
 * PNG, WebP) never loads libvips, whose load costs about 0.12 s of CPU per thread (and a worker
 * pays it again) against about 0.15 ms a 96x72 image. Set up once per process as the pool wants
 * it: one libvips thread per call (parallelism comes from the pool's threads and the calls each
 * keeps in flight), no operation cache (every image is new).
 */
import type SharpType from 'sharp';

let loading: Promise<typeof SharpType> | undefined;

export function loadSharp(): Promise<typeof SharpType> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  });
  return loading;
}
