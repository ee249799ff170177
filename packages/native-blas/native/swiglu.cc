// swiglu(buffer, gateOffset, upOffset, outOffset, n): float32 out = silu(gate) * up, silu(g) = g * sigmoid(g).
#include "args.h"
#include "exp-f.h"
#include "kernels.h"

namespace native_blas {

napi_value SwiGlu(napi_env env, napi_callback_info info) {
  KernelArgs args;
  int64_t n;
  if (!ReadElementwise(env, info, "swiglu", 3, CountAt::kLast, 0, &args, &n)) return nullptr;
  const float *g = args.x[0], *u = args.x[1];
  float* out = args.x[2];
  for (int64_t i = 0; i < n; i++) out[i] = g[i] / (1.0f + ExpF(-g[i])) * u[i];
  return nullptr;
}

}  // namespace native_blas
