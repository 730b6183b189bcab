/**
 * Names how output bytes are made: part of each shard's fingerprint, so --resume redoes shards an
 * earlier version made differently instead of mixing two versions' bytes (a run with the scaled
 * JPEG addon and one without it write different bytes for big JPEGs). Apart from the image code
 * (src/convert/image.ts) so that the driver, which only fingerprints, loads no codec: the addon's
 * status is a dlopen, no codec library of ours.
 */
import { scaledJpegStatus } from '../image/scaled-jpeg.js';

/** How JPEGs libjpeg could shrink by its DCT are decoded in this process (src/image/fast-jpeg.ts). */
const BIG_JPEG_DECODER = scaledJpegStatus.loaded
  ? `DCT-scaled by scaled_jpeg.node over ${scaledJpegStatus.libjpeg}`
  : 'over 1.5 MP sharp shrink-on-load, else full size';

export const IMAGE_PATH = `plain JPEG: libjpeg-turbo 2 (shrinkable: ${BIG_JPEG_DECODER}), plain PNG/WebP: @napi-rs/image; Pillow-geometry lanczos (wasm); else sharp`;

/**
 * The one line convert prints when the scaled JPEG addon is missing: results stay right, big JPEGs
 * only take sharp's slower path. Undefined when the addon is in use.
 */
export const SCALED_JPEG_NOTICE: string | undefined = scaledJpegStatus.loaded
  ? undefined
  : `big JPEGs are decoded by sharp (slower): ${scaledJpegStatus.reason}`;
