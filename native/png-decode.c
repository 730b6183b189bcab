/*
 * decodePng: a plain PNG (8 bits per sample, not interlaced) decoded synchronously on the calling
 * thread into the caller's buffer as RGB, alpha flattened on white. The image data is inflated in
 * one call by libdeflate (Debian's libdeflate-dev), then unfiltered here. Why not libpng, nor
 * @napi-rs/image (which did it before): on this dataset's photo crops the inflate is most of the
 * work, and libdeflate's takes 47 us for a 96x72 crop and 1.1 ms for a 500x375 photo where zlib
 * (libpng's, OpenCV's) takes 108 us and 2.5 ms; libpng in this addon decoded a 96x72 crop in 133 us,
 * @napi-rs/image in 110 us (its own inflate; a fresh Buffer per image).
 *
 *   decodePng(file: Uint8Array, out: Uint8Array, width, height): undefined
 *   decodePngAsync(file, out, width, height): Promise<undefined>   (the same on libuv's pool, for
 *     big PNGs: file and out must stay untouched until it settles; errors reject it, same codes)
 *
 * `width` x `height` is the size the caller read from IHDR and made room for (width * height * 3
 * bytes). Palette and tRNS are expanded, grey repeated into RGB, alpha blended over white with
 * round((c * a + 255 * (255 - a)) / 255), as sharp's flatten and our JavaScript did; gAMA, cHRM and
 * sRGB are ignored (as @napi-rs/image and sharp without a profile do). Every chunk's CRC is checked,
 * the zlib stream's Adler-32 and length too. Anything else (16-bit or fewer than 8 bits, interlace,
 * an unknown critical chunk, a bad CRC, a cut file, a palette index past the palette) throws an
 * Error whose code is 'PNG_DECODE': the caller then hands the file to another decoder or to sharp,
 * which judges it.
 */
#include <libdeflate.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "png-decode.h"

/* Per-thread scratch (the image data, inflated; the IDAT chunks joined), kept from image to image
 * and freed when the thread's Node environment ends. */
typedef struct {
  struct libdeflate_decompressor *inflater;
  unsigned char *bytes;
  size_t capacity;
} Scratch;

static __thread Scratch *thread_scratch;

static void free_scratch(void *data) {
  Scratch *scratch = (Scratch *)data;
  if (scratch->inflater) libdeflate_free_decompressor(scratch->inflater);
  free(scratch->bytes);
  free(scratch);
  if (thread_scratch == scratch) thread_scratch = NULL;
}

static Scratch *get_scratch(napi_env env) {
  if (thread_scratch) return thread_scratch;
  Scratch *scratch = (Scratch *)calloc(1, sizeof(Scratch));
  if (!scratch) return NULL;
  scratch->inflater = libdeflate_alloc_decompressor();
  if (!scratch->inflater || napi_add_env_cleanup_hook(env, free_scratch, scratch) != napi_ok) {
    if (scratch->inflater) libdeflate_free_decompressor(scratch->inflater);
    free(scratch);
    return NULL;
  }
  thread_scratch = scratch;
  return scratch;
}

/* At least `bytes` of scratch; NULL when out of memory. */
static unsigned char *reserve(Scratch *scratch, size_t bytes) {
  if (scratch->capacity < bytes) {
    unsigned char *grown = (unsigned char *)realloc(scratch->bytes, bytes);
    if (!grown) return NULL;
    scratch->bytes = grown;
    scratch->capacity = bytes;
  }
  return scratch->bytes;
}

static uint32_t be32(const unsigned char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int chunk_is(const unsigned char *type, const char *name) {
  return memcmp(type, name, 4) == 0;
}

/* Undoes one row's filter (PNG spec, section 9) from `raw` into `cur`; `prev` is the row above
 * (zeros for the first). `bpp` bytes per pixel, `n` bytes in the row. 0 when the filter is unknown. */
static int unfilter(int filter, const unsigned char *raw, unsigned char *cur, const unsigned char *prev, size_t n, size_t bpp) {
  size_t i;
  switch (filter) {
    case 0:
      memcpy(cur, raw, n);
      return 1;
    case 1:
      for (i = 0; i < bpp; i++) cur[i] = raw[i];
      for (; i < n; i++) cur[i] = (unsigned char)(raw[i] + cur[i - bpp]);
      return 1;
    case 2:
      for (i = 0; i < n; i++) cur[i] = (unsigned char)(raw[i] + prev[i]);
      return 1;
    case 3:
      for (i = 0; i < bpp; i++) cur[i] = (unsigned char)(raw[i] + (prev[i] >> 1));
      for (; i < n; i++) cur[i] = (unsigned char)(raw[i] + ((cur[i - bpp] + prev[i]) >> 1));
      return 1;
    case 4:
      for (i = 0; i < bpp; i++) cur[i] = (unsigned char)(raw[i] + prev[i]);
      for (; i < n; i++) {
        int a = cur[i - bpp], b = prev[i], c = prev[i - bpp];
        int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
        cur[i] = (unsigned char)(raw[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c));
      }
      return 1;
    default:
      return 0;
  }
}

/* round((v * a + 255 * (255 - a)) / 255): (x + 127) / 255 is Math.round(x / 255) for integers,
 * as x / 255 never ends in exactly .5. */
static unsigned char over_white(unsigned v, unsigned a) {
  return (unsigned char)((v * a + 255 * (255 - a) + 127) / 255);
}

static napi_value throw_png(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

#define PNG_CHECK(call)                                                                   \
  do {                                                                                    \
    if ((call) != napi_ok) return throw_png(env, "NAPI", "decodePng: " #call " failed"); \
  } while (0)

/* Why a decode failed when memory ran out (every other failure is the file's: PNG_DECODE). */
static const char OUT_OF_MEMORY[] = "decodePng: out of memory";

#define FAIL(message) return message

/* The decode itself, without Node-API (decodePngAsync runs it on libuv's pool): NULL when done,
 * else why not. `scratch` is the caller's: the thread's, or one of the call's own. */
static const char *decode_png_into(Scratch *scratch, const unsigned char *file, size_t length, unsigned char *out, uint32_t width, uint32_t height) {
  static const unsigned char SIGNATURE[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  if (length < 8 + 25 || memcmp(file, SIGNATURE, 8) != 0) FAIL("not a PNG");

  /* The chunks: IHDR first, PLTE and tRNS before the image data, the IDATs in a row, IEND last. */
  int colour = -1, seen_idat = 0, idat_done = 0, seen_iend = 0;
  const unsigned char *palette = NULL, *trns = NULL, *first_idat = NULL;
  uint32_t palette_bytes = 0, trns_bytes = 0;
  size_t idat_total = 0, idat_chunks = 0;
  size_t pos = 8;
  while (!seen_iend) {
    if (length - pos < 12) FAIL("file cut short");
    uint32_t n = be32(file + pos);
    const unsigned char *chunk = file + pos + 4;
    if (n > length - pos - 12) FAIL("file cut short");
    if (libdeflate_crc32(0, chunk, (size_t)n + 4) != be32(chunk + 4 + n)) FAIL("chunk CRC mismatch");
    const unsigned char *body = chunk + 4;
    if (pos == 8) {
      if (!chunk_is(chunk, "IHDR") || n != 13) FAIL("no IHDR first");
      if (be32(body) != width || be32(body + 4) != height) FAIL("size differs from the caller's");
      if (body[8] != 8) FAIL("not 8 bits per sample");
      colour = body[9];
      if (colour != 0 && colour != 2 && colour != 3 && colour != 4 && colour != 6) FAIL("unknown colour type");
      if (body[10] != 0 || body[11] != 0 || body[12] != 0) FAIL("interlaced or unknown method");
    } else if (chunk_is(chunk, "IDAT")) {
      if (idat_done) FAIL("IDAT chunks not in a row");
      if (!seen_idat) first_idat = body;
      seen_idat = 1;
      idat_total += n;
      idat_chunks++;
    } else {
      if (seen_idat) idat_done = 1;
      if (chunk_is(chunk, "IEND")) seen_iend = 1;
      else if (chunk_is(chunk, "PLTE")) {
        if (seen_idat || palette || n == 0 || n % 3 != 0 || n > 768) FAIL("bad PLTE");
        palette = body;
        palette_bytes = n;
      } else if (chunk_is(chunk, "tRNS")) {
        if (seen_idat || trns) FAIL("bad tRNS");
        trns = body;
        trns_bytes = n;
      } else if (!(chunk[0] & 0x20)) FAIL("unknown critical chunk");
    }
    pos += 12 + (size_t)n;
  }
  if (!seen_idat) FAIL("no image data");
  if (colour == 3 && !palette) FAIL("no palette");
  if (trns && ((colour == 0 && trns_bytes != 2) || (colour == 2 && trns_bytes != 6) || (colour == 3 && trns_bytes > palette_bytes / 3) || colour == 4 || colour == 6)) FAIL("bad tRNS");

  const size_t channels = colour == 0 || colour == 3 ? 1 : colour == 4 ? 2 : colour == 2 ? 3 : 4;
  const size_t row_bytes = (size_t)width * channels;
  const size_t raw_bytes = (size_t)height * (row_bytes + 1);
  /* Scratch: the inflated data, two rows (current, previous: zeros before the first), then the
   * joined IDATs when there are several. */
  unsigned char *base = reserve(scratch, raw_bytes + 2 * row_bytes + (idat_chunks > 1 ? idat_total : 0));
  if (!base) return OUT_OF_MEMORY;
  unsigned char *raw = base, *rows = base + raw_bytes;
  const unsigned char *stream = first_idat;
  if (idat_chunks > 1) {
    unsigned char *joined = rows + 2 * row_bytes;
    size_t at = 0;
    for (size_t p = 8; at < idat_total; p += 12 + be32(file + p))
      if (chunk_is(file + p + 4, "IDAT")) {
        memcpy(joined + at, file + p + 8, be32(file + p));
        at += be32(file + p);
      }
    stream = joined;
  }
  size_t inflated = 0;
  if (libdeflate_zlib_decompress(scratch->inflater, stream, idat_total, raw, raw_bytes, &inflated) != LIBDEFLATE_SUCCESS || inflated != raw_bytes) FAIL("corrupt image data");

  /* Pixels of palette images through a table already flattened on white. */
  unsigned char table[256 * 3];
  size_t entries = palette_bytes / 3;
  for (size_t i = 0; i < entries; i++) {
    unsigned a = trns && i < trns_bytes ? trns[i] : 255;
    for (int k = 0; k < 3; k++) table[i * 3 + k] = over_white(palette ? palette[i * 3 + k] : 0, a);
  }
  /* tRNS of grey and RGB images: one colour (16-bit samples) shown as transparent, so white. */
  int key = trns && (colour == 0 || colour == 2);
  unsigned key_r = key ? (unsigned)(trns[0] << 8 | trns[1]) : 0;
  unsigned key_g = key && colour == 2 ? (unsigned)(trns[2] << 8 | trns[3]) : key_r;
  unsigned key_b = key && colour == 2 ? (unsigned)(trns[4] << 8 | trns[5]) : key_r;

  unsigned char *prev = rows, *cur = rows + row_bytes;
  memset(prev, 0, row_bytes);
  for (uint32_t y = 0; y < height; y++) {
    const unsigned char *line = raw + (size_t)y * (row_bytes + 1);
    unsigned char *rgb = out + (size_t)y * width * 3;
    /* RGB rows are unfiltered straight into the output: the row above is there too. */
    unsigned char *into = colour == 2 ? rgb : cur;
    if (!unfilter(line[0], line + 1, into, y == 0 ? prev : colour == 2 ? rgb - (size_t)width * 3 : prev, row_bytes, channels)) FAIL("unknown row filter");
    const unsigned char *s = into;
    switch (colour) {
      case 2:
        if (key)
          for (uint32_t x = 0; x < width; x++, rgb += 3)
            if (rgb[0] == key_r && rgb[1] == key_g && rgb[2] == key_b) rgb[0] = rgb[1] = rgb[2] = 255;
        break;
      case 6:
        for (uint32_t x = 0; x < width; x++, s += 4, rgb += 3) {
          unsigned a = s[3];
          if (a == 255) {
            rgb[0] = s[0];
            rgb[1] = s[1];
            rgb[2] = s[2];
          } else {
            rgb[0] = over_white(s[0], a);
            rgb[1] = over_white(s[1], a);
            rgb[2] = over_white(s[2], a);
          }
        }
        break;
      case 0:
        for (uint32_t x = 0; x < width; x++, s++, rgb += 3) rgb[0] = rgb[1] = rgb[2] = key && *s == key_r ? 255 : *s;
        break;
      case 4:
        for (uint32_t x = 0; x < width; x++, s += 2, rgb += 3) rgb[0] = rgb[1] = rgb[2] = over_white(s[0], s[1]);
        break;
      case 3:
        for (uint32_t x = 0; x < width; x++, s++, rgb += 3) {
          if (*s >= entries) FAIL("palette index past the palette");
          memcpy(rgb, table + *s * 3, 3);
        }
        break;
    }
    if (colour != 2) {
      unsigned char *t = prev;
      prev = cur;
      cur = t;
    }
  }
  return NULL;
}


/* decodePng's and decodePngAsync's arguments; 0 with an exception pending when they are wrong. */
typedef struct {
  const unsigned char *file;
  size_t length;
  unsigned char *out;
  uint32_t width, height;
} PngJob;

static int read_png_job(napi_env env, size_t argc, napi_value *argv, PngJob *job) {
  if (argc < 4) {
    throw_png(env, "ERR_INVALID_ARG", "decodePng(file, out, width, height): 4 arguments expected");
    return 0;
  }
  bool is_typed;
  napi_typedarray_type type;
  size_t lengths[2];
  void *datas[2];
  for (int i = 0; i < 2; i++) {
    if (napi_is_typedarray(env, argv[i], &is_typed) != napi_ok || !is_typed ||
        napi_get_typedarray_info(env, argv[i], &type, &lengths[i], &datas[i], NULL, NULL) != napi_ok || type != napi_uint8_array) {
      throw_png(env, "ERR_INVALID_ARG", "decodePng: file and out must be Uint8Arrays");
      return 0;
    }
  }
  if (napi_get_value_uint32(env, argv[2], &job->width) != napi_ok || napi_get_value_uint32(env, argv[3], &job->height) != napi_ok) {
    throw_png(env, "ERR_INVALID_ARG", "decodePng: width and height must be numbers");
    return 0;
  }
  if (job->width == 0 || job->height == 0 || (uint64_t)job->width * job->height * 3 > lengths[1]) {
    throw_png(env, "ERR_INVALID_ARG", "decodePng: out is smaller than width * height * 3");
    return 0;
  }
  job->file = (const unsigned char *)datas[0];
  job->length = lengths[0];
  job->out = (unsigned char *)datas[1];
  return 1;
}

static const char *failure_code(const char *failure) {
  return failure == OUT_OF_MEMORY ? "ENOMEM" : "PNG_DECODE";
}

static napi_value decode_png(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  PNG_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  PngJob job;
  if (!read_png_job(env, argc, argv, &job)) return NULL;
  Scratch *scratch = get_scratch(env);
  if (!scratch) return throw_png(env, "ENOMEM", OUT_OF_MEMORY);
  const char *failure = decode_png_into(scratch, job.file, job.length, job.out, job.width, job.height);
  if (failure) return throw_png(env, failure_code(failure), failure);
  return NULL;
}

/* decodePngAsync: the same decode on libuv's pool, for big PNGs (as scaled-jpeg.c's decodeAsync:
 * file and out held by references, untouched by the caller until the promise settles). */
typedef struct {
  PngJob job;
  const char *failure;
  napi_ref file_ref, out_ref;
  napi_deferred deferred;
  napi_async_work work;
} AsyncPng;

/* On a pool thread: scratch of its own (the inflated image), freed at once. */
static void execute_png(napi_env env, void *data) {
  (void)env;
  AsyncPng *task = (AsyncPng *)data;
  Scratch *scratch = (Scratch *)calloc(1, sizeof(Scratch));
  if (scratch) scratch->inflater = libdeflate_alloc_decompressor();
  if (!scratch || !scratch->inflater) {
    free(scratch);
    task->failure = OUT_OF_MEMORY;
    return;
  }
  task->failure = decode_png_into(scratch, task->job.file, task->job.length, task->job.out, task->job.width, task->job.height);
  free_scratch(scratch);
}

static void settle(napi_env env, AsyncPng *task, const char *failure) {
  napi_value value = NULL, code, message;
  if (!failure) {
    napi_get_undefined(env, &value);
    napi_resolve_deferred(env, task->deferred, value);
  } else {
    /* Always settled: an Error when one can be made, else undefined (the callers treat every
       rejection alike: the next decoder). */
    if (napi_create_string_utf8(env, failure_code(failure), NAPI_AUTO_LENGTH, &code) != napi_ok ||
        napi_create_string_utf8(env, failure, NAPI_AUTO_LENGTH, &message) != napi_ok ||
        napi_create_error(env, code, message, &value) != napi_ok)
      napi_get_undefined(env, &value);
    napi_reject_deferred(env, task->deferred, value);
  }
  napi_delete_reference(env, task->file_ref);
  napi_delete_reference(env, task->out_ref);
  if (task->work) napi_delete_async_work(env, task->work);
  free(task);
}

static void complete_png(napi_env env, napi_status status, void *data) {
  AsyncPng *task = (AsyncPng *)data;
  settle(env, task, status == napi_ok ? task->failure : "decodePngAsync: the work was cancelled");
}

static napi_value decode_png_async(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], promise, name;
  PNG_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  AsyncPng *task = (AsyncPng *)calloc(1, sizeof(AsyncPng));
  if (!task) return throw_png(env, "ENOMEM", OUT_OF_MEMORY);
  if (!read_png_job(env, argc, argv, &task->job)) {
    free(task);
    return NULL;
  }
  if (napi_create_reference(env, argv[0], 1, &task->file_ref) != napi_ok || napi_create_reference(env, argv[1], 1, &task->out_ref) != napi_ok ||
      napi_create_string_utf8(env, "decodePng", NAPI_AUTO_LENGTH, &name) != napi_ok || napi_create_promise(env, &task->deferred, &promise) != napi_ok) {
    if (task->file_ref) napi_delete_reference(env, task->file_ref);
    if (task->out_ref) napi_delete_reference(env, task->out_ref);
    free(task);
    return throw_png(env, "NAPI", "decodePngAsync: could not set up the work");
  }
  if (napi_create_async_work(env, NULL, name, execute_png, complete_png, task, &task->work) != napi_ok ||
      napi_queue_async_work(env, task->work) != napi_ok) {
    settle(env, task, "decodePngAsync: could not queue the work"); /* the promise is made: settle it */
  }
  return promise;
}

int register_png(napi_env env, napi_value exports) {
  napi_value fn, version;
  if (napi_create_function(env, "decodePng", NAPI_AUTO_LENGTH, decode_png, NULL, &fn) != napi_ok) return 0;
  if (napi_set_named_property(env, exports, "decodePng", fn) != napi_ok) return 0;
  if (napi_create_function(env, "decodePngAsync", NAPI_AUTO_LENGTH, decode_png_async, NULL, &fn) != napi_ok) return 0;
  if (napi_set_named_property(env, exports, "decodePngAsync", fn) != napi_ok) return 0;
  if (napi_create_string_utf8(env, "libdeflate " LIBDEFLATE_VERSION_STRING, NAPI_AUTO_LENGTH, &version) != napi_ok) return 0;
  return napi_set_named_property(env, exports, "libdeflate", version) == napi_ok;
}
