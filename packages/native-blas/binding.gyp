{
  "targets": [
    {
      "target_name": "native_blas",
      "sources": [
        "native/addon.cc",
        "native/blas.cc",
        "native/builtin-sgemm.cc",
        "native/builtin-sgemm-entry.cc",
        "native/sgemm.cc",
        "native/transpose.cc",
        "native/exp.cc",
        "native/binary.cc",
        "native/swiglu.cc",
        "native/swiglu-grad.cc",
        "native/rms-norm.cc",
        "native/rms-norm-grad.cc",
        "native/lora-linear.cc",
        "native/lora-linear-grad.cc",
        "native/adam-step.cc",
        "native/sgd-step.cc",
        "native/sum-squares.cc",
        "native/attention.cc",
        "native/attention-grad.cc"
      ],
      "cflags_cc": ["-O3", "-fno-trapping-math", "-std=c++17"],
      "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-trapping-math"]},
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-ldl"]
    }
  ]
}
