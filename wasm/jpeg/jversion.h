/* libjpeg-turbo 2.1 version strings for the WebAssembly build (wasm/build-jpeg.mjs). */
#define JVERSION  "6b  27-Mar-1998"
#define JCOPYRIGHT  "Copyright (C) 1991-2023 The libjpeg-turbo Project, Thomas G. Lane, Guido Vollbeding and many others"
#define JCOPYRIGHT_SHORT  "Copyright (C) 1991-2023 The libjpeg-turbo Project and many others"
