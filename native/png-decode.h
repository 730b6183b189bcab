/* decodePng (native/png-decode.c), registered on the addon's exports by scaled-jpeg.c's init. */
#ifndef PIPELINE_PNG_DECODE_H
#define PIPELINE_PNG_DECODE_H
#include <node_api.h>

/* Adds decodePng and libdeflate (the version string) to `exports`; 0 on failure. */
int register_png(napi_env env, napi_value exports);

#endif
