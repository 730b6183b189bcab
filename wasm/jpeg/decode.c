/*
 * JPEG decoding for src/image/jpeg-wasm.ts, over libjpeg's own API (no TurboJPEG, no setjmp):
 * DCT scaling 1/1, 1/2, 1/4, 1/8, the accurate integer IDCT, RGB out. One decompressor, made once.
 * A fatal libjpeg error calls the imported `fail`, which throws in JavaScript and unwinds this
 * module; the caller then drops the instance and makes a new one.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "jpeglib.h"

#define EXPORT(name) __attribute__((export_name(#name)))

__attribute__((import_module("env"), import_name("fail"))) void fail(int code);

static struct jpeg_decompress_struct d;
static struct jpeg_error_mgr e;
static int ready;
static int warnings;

static void on_error(j_common_ptr cinfo) { fail(cinfo->err->msg_code); }

/* Level -1 is a warning (damaged data libjpeg decoded past); others are traces. */
static void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) warnings++;
}

EXPORT(allocate) void *allocate(size_t bytes) { return malloc(bytes); }
EXPORT(release) void release(void *p) { free(p); }

/*
 * Decodes `length` bytes at `src` scaled by 1/`denom` into `dst` (width x height x 3 bytes, RGB).
 * Returns 0; 1 when libjpeg warned (the pixels are not to be trusted); 2 when the scaled size is
 * not width x height.
 */
EXPORT(decode) int decode(const unsigned char *src, unsigned long length, int denom, unsigned char *dst, int width, int height) {
  if (!ready) {
    d.err = jpeg_std_error(&e);
    e.error_exit = on_error;
    e.emit_message = on_message;
    jpeg_create_decompress(&d);
    ready = 1;
  }
  warnings = 0;
  jpeg_mem_src(&d, src, length);
  jpeg_read_header(&d, TRUE);
  d.scale_num = 1;
  d.scale_denom = denom;
  d.dct_method = JDCT_ISLOW;
  d.out_color_space = JCS_RGB;
  jpeg_calc_output_dimensions(&d);
  if ((int)d.output_width != width || (int)d.output_height != height) {
    jpeg_abort_decompress(&d);
    return 2;
  }
  jpeg_start_decompress(&d);
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = dst + (size_t)d.output_scanline * width * 3;
    jpeg_read_scanlines(&d, &row, 1);
  }
  jpeg_finish_decompress(&d);
  return warnings ? 1 : 0;
}
