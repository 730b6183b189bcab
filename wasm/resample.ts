// AssemblyScript, compiled to WebAssembly (SIMD) by `npm run build:wasm` into
// src/image/resample-wasm.ts. Separable resampling of 8-bit RGB with kernels computed by the
// caller (src/image/resample.ts): one pixel is one f32x4 (R, G, B, unused), and each weight is
// stored four times over (one f32x4), so every tap is two loads and one multiply-add. Plain IEEE f32 arithmetic, no fused operations: the same bytes on every machine.

/**
 * Horizontal pass: source rows [y0, y0 + rows) of `srcW` RGB pixels at `src` become rows of `outW`
 * f32x4 pixels at `tmp`, whole numbers in 0..255. Output pixel x reads taps [bounds[2x], bounds[2x] + bounds[2x+1]) with
 * weights kern[x * ksize ...] (f32x4 each); the taps lie within columns [x0, x1). `line` is scratch
 * for one source row as f32x4 (srcW * 16 bytes).
 */
export function horizontal(src: usize, srcW: i32, x0: i32, x1: i32, y0: i32, rows: i32, tmp: usize, outW: i32, kern: usize, bounds: usize, ksize: i32, line: usize): void {
  const stride = srcW * 3;
  const half = f32x4.splat(0.5);
  const zero = f32x4.splat(0);
  const top = f32x4.splat(255);
  for (let y = 0; y < rows; y++) {
    const row = src + <usize>((y + y0) * stride);
    // Each source pixel is read by several taps: widen the part of the row they read, once.
    for (let x = x0; x < x1; x++) {
      const px = v128.load32_zero(row + <usize>(x * 3));
      v128.store(line + <usize>(x << 4), f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(px))));
    }
    const out = tmp + <usize>(y * outW * 16);
    for (let x = 0; x < outW; x++) {
      const first = load<i32>(bounds + <usize>(x * 8));
      const taps = load<i32>(bounds + <usize>(x * 8 + 4));
      let p = line + <usize>(first << 4);
      let k = kern + <usize>(x * ksize * 16);
      let acc = f32x4.splat(0);
      for (let t = 0; t < taps; t++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load(p), v128.load(k)));
        p += 16;
        k += 16;
      }
      // Rounded and clamped to 0..255 between the passes, as Pillow does (Lanczos overshoots at edges).
      v128.store(out + <usize>(x * 16), f32x4.pmax(zero, f32x4.pmin(top, f32x4.floor(f32x4.add(acc, half)))));
    }
  }
}

/**
 * Vertical pass: `tmp` (outW f32x4 pixels a row) becomes `outH` rows of `outW` RGB bytes at `out`,
 * rounded half up and clamped to 0..255. Bounds are rows of `tmp`.
 */
export function vertical(tmp: usize, outW: i32, outH: i32, out: usize, kern: usize, bounds: usize, ksize: i32): void {
  const half = f32x4.splat(0.5);
  const rowBytes = outW * 16;
  for (let y = 0; y < outH; y++) {
    const first = load<i32>(bounds + <usize>(y * 8));
    const taps = load<i32>(bounds + <usize>(y * 8 + 4));
    const k0 = kern + <usize>(y * ksize * 16);
    const row = out + <usize>(y * outW * 3);
    for (let x = 0; x < outW; x++) {
      let p = tmp + <usize>(first * rowBytes + x * 16);
      let k = k0;
      let acc = half;
      for (let t = 0; t < taps; t++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load(p), v128.load(k)));
        p += <usize>rowBytes;
        k += 16;
      }
      const i = i32x4.trunc_sat_f32x4_s(acc);
      const s = i16x8.narrow_i32x4_s(i, i);
      const b = i8x16.narrow_i16x8_u(s, s);
      const o = row + <usize>(x * 3);
      store<u16>(o, <u16>i16x8.extract_lane_u(b, 0));
      store<u8>(o + 2, i8x16.extract_lane_u(b, 2));
    }
  }
}
