/**
 * Names how output bytes are made: part of each shard's fingerprint, so --resume redoes shards an
 * earlier version made differently instead of mixing two versions' bytes. Apart from the image code
 * (src/convert/image.ts) so that the driver, which only fingerprints, loads no codec.
 */
export const IMAGE_PATH = 'plain JPEG: libjpeg-turbo 2 (DCT-scaled in wasm), plain PNG/WebP: @napi-rs/image; Pillow-geometry lanczos (wasm); else sharp';
