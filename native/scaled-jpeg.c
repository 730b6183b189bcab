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
 *   decodeAsync(file, out, reduction, width, height, fastIdct, cropX?, cropWidth?): Promise<number>
 *
 * is the same decode on libuv's thread pool (napi_create_async_work), for big sources only (the hop
 * costs tens of microseconds): a worker thread keeps a few in flight while it resamples and encodes
 * the ones before, so one partition of big photos uses every core. `out` must be a buffer of the
 * caller's own, not WebAssembly memory (which may grow, and its old buffer detach, meanwhile); file
 * and out are held until the promise settles and must not be touched before. Errors reject the
 * promise with the same codes and messages. Each pool thread keeps a decompressor of its own.
 *
 * The same addon carries decodePng (native/png-decode.c): one build, one file to load.
 *
 * decode: one decompressor per Node environment (per worker thread), reused from image to image: libjpeg's
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

/* What one decode came to, without Node-API (the async variant runs it off the JS thread): `code`
 * NULL when done (`row_width` then set), else the error's code and message. */
typedef struct {
  const char *code;
  char message[JMSG_LENGTH_MAX + 96];
  JDIMENSION row_width;
} Outcome;

/* The arguments of decode and decodeAsync, checked. */
typedef struct {
  const unsigned char *file;
  size_t file_length;
  unsigned char *out;
  uint32_t reduction, width, height, crop_x, crop_width;
  bool fast;
} Job;

static void fail(Outcome *outcome, const char *code, const char *message) {
  outcome->code = code;
  snprintf(outcome->message, sizeof outcome->message, "%s", message);
}

/* A decompressor with our error handling; NULL when out of memory. */
static Decoder *new_decoder(void) {
  /* volatile: read after a longjmp from jpeg_create_decompress (out of memory). */
  Decoder *volatile decoder = (Decoder *)calloc(1, sizeof(Decoder));
  if (decoder == NULL) return NULL;
  decoder->cinfo.err = jpeg_std_error(&decoder->errors.pub);
  decoder->errors.pub.error_exit = on_error;
  decoder->errors.pub.emit_message = on_message;
  if (setjmp(decoder->errors.escape)) {
    free((Decoder *)decoder);
    return NULL;
  }
  jpeg_create_decompress(&decoder->cinfo);
  return (Decoder *)decoder;
}

/* The JS thread's decoder, made on first use, freed with its Node environment. */
static Decoder *thread_decoder(napi_env env) {
  Decoder *decoder = NULL;
  if (napi_get_instance_data(env, (void **)&decoder) == napi_ok && decoder != NULL) return decoder;
  decoder = new_decoder();
  if (decoder == NULL) return NULL;
  if (napi_set_instance_data(env, decoder, destroy_decoder, NULL) != napi_ok) {
    jpeg_destroy_decompress(&decoder->cinfo);
    free(decoder);
    return NULL;
  }
  return decoder;
}

/* The decode itself: no Node-API call, so it runs on any thread. The decoder is left ready for the
 * next file whatever happens. */
static void decode_job(Decoder *decoder, const Job *job, Outcome *outcome) {
  struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
  outcome->code = NULL;
  /* Everything libjpeg calls below may longjmp here; only the arguments are read after. */
  if (setjmp(decoder->errors.escape)) {
    fail(outcome, "JPEG_DECODE", decoder->errors.message);
    jpeg_abort_decompress(cinfo); /* back to the start state, ready for the next file */
    return;
  }
  jpeg_mem_src(cinfo, job->file, (unsigned long)job->file_length);
  jpeg_read_header(cinfo, TRUE);
  cinfo->out_color_space = JCS_RGB;
  cinfo->scale_num = 1;
  cinfo->scale_denom = job->reduction;
  cinfo->dct_method = job->fast ? JDCT_IFAST : JDCT_ISLOW;
  jpeg_calc_output_dimensions(cinfo);
  if (cinfo->output_width != job->width || cinfo->output_height != job->height || cinfo->output_components != 3) {
    outcome->code = "ERR_SIZE";
    snprintf(outcome->message, sizeof outcome->message, "decode: libjpeg's scaled size is %ux%ux%d, the caller expected %ux%ux3", cinfo->output_width, cinfo->output_height, cinfo->output_components, job->width, job->height);
    jpeg_abort_decompress(cinfo);
    return;
  }
  jpeg_start_decompress(cinfo);
  JDIMENSION left = 0, row_width = job->width;
  if (job->crop_width > 0 && job->crop_width < job->width && !upsampled(cinfo)) {
    left = job->crop_x;
    row_width = job->crop_width;
    jpeg_crop_scanline(cinfo, &left, &row_width);
    if (left > job->crop_x || left + row_width != job->crop_x + job->crop_width) {
      fail(outcome, "ERR_SIZE", "decode: libjpeg's crop is not the one asked for");
      jpeg_abort_decompress(cinfo);
      return;
    }
  }
  size_t stride = (size_t)row_width * 3;
  /* Several rows a call where libjpeg offers them (its merged upsampler gives two at a time). */
  JSAMPROW rows[16];
  while (cinfo->output_scanline < cinfo->output_height) {
    JDIMENSION line = cinfo->output_scanline;
    int n = 0;
    for (; n < 16 && line + n < cinfo->output_height; n++) rows[n] = job->out + (size_t)(line + n) * stride;
    jpeg_read_scanlines(cinfo, rows, (JDIMENSION)n);
  }
  jpeg_finish_decompress(cinfo);
  outcome->row_width = row_width;
}

/* A Uint8Array argument's bytes; 0 (an exception pending) when it is not one. */
static int uint8_array(napi_env env, napi_value value, const char *what, void **data, size_t *length) {
  bool is_typed;
  napi_typedarray_type type;
  char message[96];
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    snprintf(message, sizeof message, "decode: %s must be a Uint8Array", what);
    napi_throw_error(env, "ERR_INVALID_ARG", message);
    return 0;
  }
  return 1;
}

/* decode's and decodeAsync's arguments (file, out, reduction, width, height, fastIdct, cropX?,
 * cropWidth?) into `job`; 0 with an exception pending when they are wrong. */
static int read_job(napi_env env, size_t argc, napi_value *argv, Job *job) {
  if (argc < 6) {
    napi_throw_error(env, "ERR_INVALID_ARG", "decode(file, out, reduction, width, height, fastIdct): 6 arguments expected");
    return 0;
  }
  void *file_data, *out_data;
  size_t out_length;
  if (!uint8_array(env, argv[0], "file", &file_data, &job->file_length) || !uint8_array(env, argv[1], "out", &out_data, &out_length)) return 0;
  job->file = (const unsigned char *)file_data;
  job->out = (unsigned char *)out_data;
  if (napi_get_value_uint32(env, argv[2], &job->reduction) != napi_ok || napi_get_value_uint32(env, argv[3], &job->width) != napi_ok ||
      napi_get_value_uint32(env, argv[4], &job->height) != napi_ok || napi_get_value_bool(env, argv[5], &job->fast) != napi_ok) {
    napi_throw_error(env, "ERR_INVALID_ARG", "decode: reduction, width and height must be numbers, fastIdct a boolean");
    return 0;
  }
  if (job->reduction != 1 && job->reduction != 2 && job->reduction != 4 && job->reduction != 8) {
    napi_throw_error(env, "ERR_INVALID_ARG", "decode: reduction must be 1, 2, 4 or 8");
    return 0;
  }
  if (job->width == 0 || job->height == 0 || (uint64_t)job->width * job->height * 3 > out_length) {
    napi_throw_error(env, "ERR_INVALID_ARG", "decode: out is smaller than width * height * 3");
    return 0;
  }
  if (job->file_length == 0) {
    napi_throw_error(env, "JPEG_DECODE", "empty file");
    return 0;
  }
  job->crop_x = job->crop_width = 0;
  if (argc >= 8) {
    if (napi_get_value_uint32(env, argv[6], &job->crop_x) != napi_ok || napi_get_value_uint32(env, argv[7], &job->crop_width) != napi_ok ||
        job->crop_width == 0 || (uint64_t)job->crop_x + job->crop_width > job->width) {
      napi_throw_error(env, "ERR_INVALID_ARG", "decode: the crop is not within the scaled width");
      return 0;
    }
  }
  return 1;
}

static napi_value decode(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Job job;
  if (!read_job(env, argc, argv, &job)) return NULL;
  Decoder *decoder = thread_decoder(env);
  if (decoder == NULL) return throw_error(env, "ENOMEM", "decode: could not create a libjpeg decompressor");
  Outcome outcome;
  decode_job(decoder, &job, &outcome);
  if (outcome.code != NULL) return throw_error(env, outcome.code, outcome.message);
  napi_value result;
  CHECK(napi_create_uint32(env, outcome.row_width, &result));
  return result;
}

/* decodeAsync: the same decode on libuv's pool. The file and out arrays are held by references
 * until it ends; the caller must neither change nor read them meanwhile (out is its own buffer,
 * never WebAssembly memory, which may grow and move while the decode runs). */
typedef struct {
  Job job;
  Outcome outcome;
  napi_ref file_ref, out_ref;
  napi_deferred deferred;
  napi_async_work work;
} AsyncDecode;

/* Each pool thread's decompressor, made on its first decode and kept for the process's life (libuv's
 * pool threads never end; 4 by default): libjpeg's set-up is paid once per thread, as on the JS side.
 * It holds no Node-API state, so the worker threads that share the pool may all use it. */
static __thread Decoder *pool_decoder;

static void execute_decode(napi_env env, void *data) {
  (void)env;
  AsyncDecode *task = (AsyncDecode *)data;
  if (pool_decoder == NULL) pool_decoder = new_decoder();
  if (pool_decoder == NULL) {
    fail(&task->outcome, "ENOMEM", "decode: could not create a libjpeg decompressor");
    return;
  }
  decode_job(pool_decoder, &task->job, &task->outcome);
}

/* Back on the JS thread: settle the promise with the rows' width, or an Error with code and message. */
static void complete_decode(napi_env env, napi_status status, void *data) {
  AsyncDecode *task = (AsyncDecode *)data;
  napi_value value = NULL, code = NULL, message = NULL;
  if (status != napi_ok) fail(&task->outcome, "NAPI", "decodeAsync: the work was cancelled");
  if (task->outcome.code == NULL && napi_create_uint32(env, task->outcome.row_width, &value) == napi_ok) {
    napi_resolve_deferred(env, task->deferred, value);
  } else {
    /* Always settled (a pending promise would hold its partition forever): an Error when one can
       be made, else undefined; the callers treat every rejection alike (the next decoder). */
    if (task->outcome.code == NULL || napi_create_string_utf8(env, task->outcome.code, NAPI_AUTO_LENGTH, &code) != napi_ok ||
        napi_create_string_utf8(env, task->outcome.message, NAPI_AUTO_LENGTH, &message) != napi_ok ||
        napi_create_error(env, code, message, &value) != napi_ok)
      napi_get_undefined(env, &value);
    napi_reject_deferred(env, task->deferred, value);
  }
  napi_delete_reference(env, task->file_ref);
  napi_delete_reference(env, task->out_ref);
  napi_delete_async_work(env, task->work);
  free(task);
}

static napi_value decode_async(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  AsyncDecode *task = (AsyncDecode *)calloc(1, sizeof(AsyncDecode));
  if (task == NULL) return throw_error(env, "ENOMEM", "decodeAsync: out of memory");
  napi_value promise, name;
  if (!read_job(env, argc, argv, &task->job)) {
    free(task);
    return NULL;
  }
  if (napi_create_reference(env, argv[0], 1, &task->file_ref) != napi_ok) {
    free(task);
    return throw_error(env, "NAPI", "decodeAsync: napi_create_reference failed");
  }
  if (napi_create_reference(env, argv[1], 1, &task->out_ref) != napi_ok ||
      napi_create_string_utf8(env, "scaledJpegDecode", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_promise(env, &task->deferred, &promise) != napi_ok) {
    napi_delete_reference(env, task->file_ref);
    if (task->out_ref) napi_delete_reference(env, task->out_ref);
    free(task);
    return throw_error(env, "NAPI", "decodeAsync: could not set up the work");
  }
  if (napi_create_async_work(env, NULL, name, execute_decode, complete_decode, task, &task->work) != napi_ok ||
      napi_queue_async_work(env, task->work) != napi_ok) {
    /* The promise is made: settle it, so no caller waits forever. */
    fail(&task->outcome, "NAPI", "decodeAsync: could not queue the work");
    if (task->work) {
      napi_delete_async_work(env, task->work);
      task->work = NULL;
    }
    napi_value code, message, error;
    napi_create_string_utf8(env, task->outcome.code, NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, task->outcome.message, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, code, message, &error);
    napi_reject_deferred(env, task->deferred, error);
    napi_delete_reference(env, task->file_ref);
    napi_delete_reference(env, task->out_ref);
    free(task);
  }
  return promise;
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
  if (napi_create_function(env, "decodeAsync", NAPI_AUTO_LENGTH, decode_async, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "decodeAsync", fn) != napi_ok) return NULL;
  version = library_version(env);
  if (version == NULL || napi_set_named_property(env, exports, "libjpeg", version) != napi_ok) return NULL;
  if (!register_png(env, exports)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
