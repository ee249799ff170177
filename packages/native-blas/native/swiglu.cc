// swiglu(buffer, gateOffset, upOffset, outOffset, n): float32 out = silu(gate) * up, silu(g) = g * sigmoid(g).
#include "args.h"
#include "exp-f.h"
#include "kernels.h"

namespace native_blas {

napi_value SwiGlu(napi_env env, napi_callback_info info) {
  KernelArgs args;
  if (!ReadArgs(env, info, 4, 0, &args)) return nullptr;
  const int64_t* v = args.v;
  const int64_t n = v[3];
  if (!args.Fit({{v[0], n}, {v[1], n}, {v[2], n}})) {
    return Throw(env, "native-blas: swiglu operands out of the buffer's bounds");
  }
  const float* g = args.base + v[0];
  const float* u = args.base + v[1];
  float* out = args.base + v[2];
  for (int64_t i = 0; i < n; i++) out[i] = g[i] / (1.0f + ExpF(-g[i])) * u[i];
  return nullptr;
}

}  // namespace native_blas
