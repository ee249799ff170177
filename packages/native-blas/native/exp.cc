// exp(buffer, xOffset, outOffset, n): float32 elementwise e^x.
#include "args.h"
#include "exp-f.h"
#include "kernels.h"

namespace native_blas {

napi_value Exp(napi_env env, napi_callback_info info) {
  KernelArgs args;
  if (!ReadArgs(env, info, 3, 0, &args)) return nullptr;
  const int64_t* v = args.v;
  const int64_t n = v[2];
  if (!args.Fit({{v[0], n}, {v[1], n}})) return Throw(env, "native-blas: exp operands out of the buffer's bounds");
  const float* x = args.base + v[0];
  float* out = args.base + v[1];
  for (int64_t i = 0; i < n; i++) out[i] = ExpF(x[i]);
  return nullptr;
}

}  // namespace native_blas
