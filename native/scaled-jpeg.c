/*
 * scaled_jpeg: libjpeg-turbo's DCT-scaled decode (1/1, 1/2, 1/4, 1/8), synchronous, into the
 * caller's buffer. No npm binding offers it synchronously: sharp's shrink-on-load runs on libuv's
 * pool, which left the worker thread idle and paid its hand-offs on every image. This addon is the
 * whole of it: one function, plain Node-API (ABI-stable, so one build loads on Node 20, 22 and 24).
 *
 *   decode(file: Uint8Array, out: Uint8Array, reduction: 1|2|4|8, width, height, fastIdct: boolean,
 *          cropX?: number, cropWidth?: number): number (the rows' width)
 *
 * decodes `file` as RGB at 1/`reduction` of its size into `out` (rows of width * 3 bytes, no
 * padding); `width` x `height` is the scaled size the caller expects and made room for. With
 * cropX and cropWidth, only columns [cropX, cropX + cropWidth) of the scaled image are wanted (a
 * cover fit reads a centred part): libjpeg-turbo's jpeg_crop_scanline then skips the IDCT and
 * colour conversion of the others (about 4% of a 12-20 MP photo's decode at 1/8, measured). It
 * moves the left edge down to an iMCU boundary and keeps the right one: the call returns the rows'
 * width, (cropX + cropWidth - left) pixels, or `width` when it decoded whole rows. Only when no component is
 * upsampled (4:2:0 and 4:4:4 at 1/2, 1/4, 1/8: libjpeg scales chroma by its IDCT): an upsampler
 * would see the crop's edge as the image's, and the pixels there would differ from a whole decode. Any libjpeg error AND any libjpeg warning (a cut or corrupt file is only a warning to
 * libjpeg, which then fills the rest with grey) throws an Error whose code is 'JPEG_DECODE' and
 * whose message is libjpeg's: never a crash, never an exit, never grey pixels passed as an image.
 *
 * The same addon carries decodePng (native/png-decode.c): one build, one file to load.
 *
 * One decompressor per Node environment (per worker thread), reused from image to image: libjpeg's
 * set-up (its memory pools, the source manager) is paid once per thread, not once per image.
 */
#include <node_api.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include "png-decode.h"

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf escape;
  char message[JMSG_LENGTH_MAX];
} ErrorManager;

typedef struct {
  struct jpeg_decompress_struct cinfo;
  ErrorManager errors;
} Decoder;

/* libjpeg's error_exit must not return: jump back to decode() with the message kept. */
static void on_error(j_common_ptr cinfo) {
  ErrorManager *errors = (ErrorManager *)cinfo->err;
  (*cinfo->err->format_message)(cinfo, errors->message);
  longjmp(errors->escape, 1);
}

/* Warnings (level -1) are errors here: libjpeg's default only counts them and goes on. Trace
 * messages (level >= 0) are ignored, as libjpeg's default does at trace_level 0. */
static void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error(cinfo);
}

static void destroy_decoder(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Decoder *decoder = (Decoder *)data;
  jpeg_destroy_decompress(&decoder->cinfo);
  free(decoder);
}

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) return throw_error(env, "NAPI", "scaled_jpeg: " #call " failed"); \
  } while (0)

/* The thread's decoder, made on first use. */
static Decoder *thread_decoder(napi_env env) {
  Decoder *decoder = NULL;
  if (napi_get_instance_data(env, (void **)&decoder) == napi_ok && decoder != NULL) return decoder;
  decoder = (Decoder *)calloc(1, sizeof(Decoder));
  if (decoder == NULL) return NULL;
  decoder->cinfo.err = jpeg_std_error(&decoder->errors.pub);
  decoder->errors.pub.error_exit = on_error;
  decoder->errors.pub.emit_message = on_message;
  if (setjmp(decoder->errors.escape)) {
    free(decoder);
    return NULL;
  }
  jpeg_create_decompress(&decoder->cinfo);
  if (napi_set_instance_data(env, decoder, destroy_decoder, NULL) != napi_ok) {
    jpeg_destroy_decompress(&decoder->cinfo);
    free(decoder);
    return NULL;
  }
  return decoder;
}

/* Whether libjpeg upsamples a component at this scale (jdsample.c's test for its full-size path). */
static int upsampled(struct jpeg_decompress_struct *cinfo) {
  for (int ci = 0; ci < cinfo->num_components; ci++) {
    jpeg_component_info *c = &cinfo->comp_info[ci];
    if (c->h_samp_factor * c->DCT_scaled_size != cinfo->max_h_samp_factor * cinfo->min_DCT_scaled_size ||
        c->v_samp_factor * c->DCT_scaled_size != cinfo->max_v_samp_factor * cinfo->min_DCT_scaled_size)
      return 1;
  }
  return 0;
}

static napi_value decode(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) return throw_error(env, "ERR_INVALID_ARG", "decode(file, out, reduction, width, height, fastIdct): 6 arguments expected");

  bool is_typed;
  napi_typedarray_type type;
  size_t file_length, out_length;
  void *file_data, *out_data;
  CHECK(napi_is_typedarray(env, argv[0], &is_typed));
  if (!is_typed) return throw_error(env, "ERR_INVALID_ARG", "decode: file must be a Uint8Array");
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &file_length, &file_data, NULL, NULL));
  if (type != napi_uint8_array) return throw_error(env, "ERR_INVALID_ARG", "decode: file must be a Uint8Array");
  CHECK(napi_is_typedarray(env, argv[1], &is_typed));
  if (!is_typed) return throw_error(env, "ERR_INVALID_ARG", "decode: out must be a Uint8Array");
  CHECK(napi_get_typedarray_info(env, argv[1], &type, &out_length, &out_data, NULL, NULL));
  if (type != napi_uint8_array) return throw_error(env, "ERR_INVALID_ARG", "decode: out must be a Uint8Array");

  uint32_t reduction, width, height;
  bool fast;
  CHECK(napi_get_value_uint32(env, argv[2], &reduction));
  CHECK(napi_get_value_uint32(env, argv[3], &width));
  CHECK(napi_get_value_uint32(env, argv[4], &height));
  CHECK(napi_get_value_bool(env, argv[5], &fast));
  if (reduction != 1 && reduction != 2 && reduction != 4 && reduction != 8) return throw_error(env, "ERR_INVALID_ARG", "decode: reduction must be 1, 2, 4 or 8");
  if (width == 0 || height == 0 || (uint64_t)width * height * 3 > out_length) return throw_error(env, "ERR_INVALID_ARG", "decode: out is smaller than width * height * 3");
  if (file_length == 0) return throw_error(env, "JPEG_DECODE", "empty file");
  uint32_t crop_x = 0, crop_width = 0;
  if (argc >= 8) {
    CHECK(napi_get_value_uint32(env, argv[6], &crop_x));
    CHECK(napi_get_value_uint32(env, argv[7], &crop_width));
    if (crop_width == 0 || (uint64_t)crop_x + crop_width > width) return throw_error(env, "ERR_INVALID_ARG", "decode: the crop is not within the scaled width");
  }

  Decoder *decoder = thread_decoder(env);
  if (decoder == NULL) return throw_error(env, "ENOMEM", "decode: could not create a libjpeg decompressor");
  struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
  char message[JMSG_LENGTH_MAX + 64];

  /* Everything libjpeg calls below may longjmp here; only locals set before setjmp are read after. */
  if (setjmp(decoder->errors.escape)) {
    snprintf(message, sizeof message, "%s", decoder->errors.message);
    jpeg_abort_decompress(cinfo); /* back to the start state, ready for the next file */
    return throw_error(env, "JPEG_DECODE", message);
  }
  jpeg_mem_src(cinfo, (const unsigned char *)file_data, (unsigned long)file_length);
  jpeg_read_header(cinfo, TRUE);
  cinfo->out_color_space = JCS_RGB;
  cinfo->scale_num = 1;
  cinfo->scale_denom = reduction;
  cinfo->dct_method = fast ? JDCT_IFAST : JDCT_ISLOW;
  jpeg_calc_output_dimensions(cinfo);
  if (cinfo->output_width != width || cinfo->output_height != height || cinfo->output_components != 3) {
    snprintf(message, sizeof message, "decode: libjpeg's scaled size is %ux%ux%d, the caller expected %ux%ux3", cinfo->output_width, cinfo->output_height, cinfo->output_components, width, height);
    jpeg_abort_decompress(cinfo);
    return throw_error(env, "ERR_SIZE", message);
  }
  jpeg_start_decompress(cinfo);
  JDIMENSION left = 0, row_width = width;
  if (crop_width > 0 && crop_width < width && !upsampled(cinfo)) {
    left = crop_x;
    row_width = crop_width;
    jpeg_crop_scanline(cinfo, &left, &row_width);
    if (left > crop_x || left + row_width != crop_x + crop_width) {
      jpeg_abort_decompress(cinfo);
      return throw_error(env, "ERR_SIZE", "decode: libjpeg's crop is not the one asked for");
    }
  }
  unsigned char *out = (unsigned char *)out_data;
  size_t stride = (size_t)row_width * 3;
  /* Several rows a call where libjpeg offers them (its merged upsampler gives two at a time). */
  JSAMPROW rows[16];
  while (cinfo->output_scanline < cinfo->output_height) {
    JDIMENSION line = cinfo->output_scanline;
    int n = 0;
    for (; n < 16 && line + n < cinfo->output_height; n++) rows[n] = out + (size_t)(line + n) * stride;
    jpeg_read_scanlines(cinfo, rows, (JDIMENSION)n);
  }
  jpeg_finish_decompress(cinfo);
  napi_value result;
  CHECK(napi_create_uint32(env, row_width, &result));
  return result;
}

/* The libjpeg-turbo version this was built against, for the record of how output was made. */
static napi_value library_version(napi_env env) {
  napi_value version;
#ifdef LIBJPEG_TURBO_VERSION
#define STR2(x) #x
#define STR(x) STR2(x)
  const char *text = "libjpeg-turbo " STR(LIBJPEG_TURBO_VERSION);
#else
  const char *text = "libjpeg";
#endif
  if (napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &version) != napi_ok) return NULL;
  return version;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn, version;
  if (napi_create_function(env, "decode", NAPI_AUTO_LENGTH, decode, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "decode", fn) != napi_ok) return NULL;
  version = library_version(env);
  if (version == NULL || napi_set_named_property(env, exports, "libjpeg", version) != napi_ok) return NULL;
  if (!register_png(env, exports)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
