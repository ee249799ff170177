{
  "targets": [
    {
      "target_name": "native_blas",
      "sources": ["native/native-blas.cc"],
      "cflags_cc": ["-O3", "-fno-trapping-math", "-std=c++17"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-ldl"]
    }
  ]
}
