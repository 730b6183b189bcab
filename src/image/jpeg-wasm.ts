/**
 * libjpeg-turbo 2.1's decoder compiled to WebAssembly (wasm/jpeg/, `npm run build:wasm-jpeg`):
 * JPEG decoding on the calling thread with DCT scaling (1/2, 1/4, 1/8: the scaled inverse DCT
 * reads only the low frequencies, so a 20 MP photo decodes to 1/64 of its pixels in about a
 * fifth of a full decode) and the accurate integer IDCT. The native binding
 * (@julusian/jpeg-turbo) has neither: it always decodes at full size with the fast IDCT.
 * Measured against @cwasm/jpeg-turbo's build of the same library (-Oz, 32-bit Huffman bit
 * buffer): about 10% less CPU; against native libjpeg-turbo (OpenCV's IMREAD_REDUCED_COLOR_8),
 * about 1.3x its CPU, almost all of it Huffman decoding, which no SIMD speeds up.
 *
 * One instance per thread, its buffers reused from image to image. A fatal libjpeg error calls
 * the imported `fail`, which throws here and unwinds the module, leaving its heap in an unknown
 * state: the instance is dropped and a new one made (from the compiled module) on the next call.
 */
import { JPEG_WASM } from './jpeg-wasm-module.js';

interface JpegExports {
  memory: WebAssembly.Memory;
  allocate(bytes: number): number;
  release(pointer: number): void;
  decode(src: number, srcBytes: number, denominator: number, dst: number, width: number, height: number): number;
}

let compiled: WebAssembly.Module | undefined;

interface Decoder {
  exports: JpegExports;
  input: { pointer: number; bytes: number };
  output: { pointer: number; bytes: number };
}

let decoder: Decoder | undefined;

function instantiate(): Decoder {
  const fail = (what: string) => () => {
    throw new Error(`libjpeg (wasm): ${what}`);
  };
  const imports = {
    env: { fail: (code: number) => fail(`error ${code}`)() },
    // libc's start-up and stdio, which the decoder never uses (messages are counted, not printed).
    wasi_snapshot_preview1: { proc_exit: fail('exit'), environ_sizes_get: () => 0, environ_get: () => 0, fd_close: () => 0, fd_seek: () => 0, fd_write: fail('write') },
  };
  compiled ??= new WebAssembly.Module(Buffer.from(JPEG_WASM, 'base64'));
  const exports = new WebAssembly.Instance(compiled, imports).exports as unknown as JpegExports;
  return { exports, input: { pointer: 0, bytes: 0 }, output: { pointer: 0, bytes: 0 } };
}

/** A heap block of at least `bytes`, reused while big enough. */
function reserve(d: Decoder, block: { pointer: number; bytes: number }, bytes: number): number {
  if (block.bytes < bytes) {
    if (block.pointer) d.exports.release(block.pointer);
    block.pointer = d.exports.allocate(bytes);
    block.bytes = block.pointer ? bytes : 0;
    if (!block.pointer) throw new Error('libjpeg (wasm): out of memory');
  }
  return block.pointer;
}

/**
 * Decodes `file` to RGB scaled by 1/`reduction` (1, 2, 4 or 8) into `width` x `height` (its size so
 * scaled, rounded up, as libjpeg scales) and returns a view of the decoder's memory, valid until the
 * next call on this thread; undefined when libjpeg fails or warns (damaged data: the caller's
 * slower path judges the file) or disagrees on the size.
 */
export function decodeJpegScaled(file: Uint8Array, reduction: number, width: number, height: number): Uint8Array | undefined {
  decoder ??= instantiate();
  const d = decoder;
  try {
    const src = reserve(d, d.input, file.length);
    const bytes = width * height * 3;
    const dst = reserve(d, d.output, bytes);
    new Uint8Array(d.exports.memory.buffer, src, file.length).set(file);
    if (d.exports.decode(src, file.length, reduction, dst, width, height) !== 0) return undefined;
    return new Uint8Array(d.exports.memory.buffer, dst, bytes);
  } catch {
    decoder = undefined;
    return undefined;
  }
}
