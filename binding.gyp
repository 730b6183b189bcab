{
  "targets": [
    {
      "target_name": "scaled_jpeg",
      "sources": ["native/scaled-jpeg.c", "native/png-decode.c"],
      "defines": ["NAPI_VERSION=6"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "libraries": ["-ljpeg", "-ldeflate"]
    }
  ]
}
