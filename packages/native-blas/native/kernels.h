// The addon's entry points, one .cc each (blas.cc holds load, loadBuiltin and setThreads), as addon.cc registers them.
// Each is `name(buffer, ...)` in JavaScript; native-blas.ts documents the arguments.
#pragma once

#include <node_api.h>

namespace native_blas {

napi_value UseBuiltinKernel(napi_env env, napi_callback_info info);
napi_value BuiltinSgemmEntry(napi_env env, napi_callback_info info);
napi_value Sgemm(napi_env env, napi_callback_info info);
napi_value Transpose(napi_env env, napi_callback_info info);
napi_value Exp(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value SwiGlu(napi_env env, napi_callback_info info);
napi_value SwiGluGrad(napi_env env, napi_callback_info info);
napi_value RmsNorm(napi_env env, napi_callback_info info);
napi_value RmsNormGrad(napi_env env, napi_callback_info info);
napi_value LoraLinear(napi_env env, napi_callback_info info);
napi_value LoraLinearGrad(napi_env env, napi_callback_info info);
napi_value AdamStep(napi_env env, napi_callback_info info);
napi_value SgdStep(napi_env env, napi_callback_info info);
napi_value SumSquares(napi_env env, napi_callback_info info);
napi_value Attention(napi_env env, napi_callback_info info);
napi_value AttentionGrad(napi_env env, napi_callback_info info);

}  // namespace native_blas
