{
  "targets": [
    {
      "target_name": "native_blas",
      "sources": ["native/native-blas.cc", "native/builtin-sgemm.cc"],
      "cflags_cc": ["-O3", "-fno-trapping-math", "-std=c++17"],
      "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-trapping-math"]},
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-ldl"]
    }
  ]
}
