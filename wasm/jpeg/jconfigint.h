/* libjpeg-turbo 2.1 internal configuration for the WebAssembly build (wasm/build-jpeg.mjs). */
#define BUILD  "wasm"
#undef inline
#define INLINE  __inline__ __attribute__((always_inline))
#define THREAD_LOCAL
#define PACKAGE_NAME  "libjpeg-turbo"
#define VERSION  "2.1.5.1"
#define SIZEOF_SIZE_T  4
#define FALLTHROUGH  __attribute__((fallthrough));
