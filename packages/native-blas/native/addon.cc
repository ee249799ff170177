// N-API addon: single-precision GEMM through OpenBLAS's cblas_sgemm (blas.h) and fused kernels, on float32 data that
// lives in a JavaScript ArrayBuffer (the TF.js wasm backend's heap, or a cpu-backend tensor's buffer), read and
// written in place. This file is the one registration list of the entry points; each lives in its own .cc over the
// shared argument reading and bounds checks of args.h.
#include <node_api.h>

#include "blas.h"
#include "kernels.h"

namespace native_blas {
namespace {

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"load", nullptr, Load, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loadBuiltin", nullptr, LoadBuiltin, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"useBuiltinKernel", nullptr, UseBuiltinKernel, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"builtinSgemm", nullptr, BuiltinSgemmEntry, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose", nullptr, Transpose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"exp", nullptr, Exp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"swiglu", nullptr, SwiGlu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"swigluGrad", nullptr, SwiGluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmsNorm", nullptr, RmsNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"rmsNormGrad", nullptr, RmsNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraLinear", nullptr, LoraLinear, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"loraLinearGrad", nullptr, LoraLinearGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdStep", nullptr, SgdStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"attentionGrad", nullptr, AttentionGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace
}  // namespace native_blas

NAPI_MODULE(NODE_GYP_MODULE_NAME, native_blas::Init)
