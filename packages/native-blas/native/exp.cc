// exp(buffer, xOffset, outOffset, n): float32 elementwise e^x.
#include "args.h"
#include "exp-f.h"
#include "kernels.h"

namespace native_blas {

napi_value Exp(napi_env env, napi_callback_info info) {
  KernelArgs args;
  int64_t n;
  if (!ReadElementwise(env, info, "exp", 2, CountAt::kLast, 0, &args, &n)) return nullptr;
  const float* x = args.x[0];
  float* out = args.x[1];
  for (int64_t i = 0; i < n; i++) out[i] = ExpF(x[i]);
  return nullptr;
}

}  // namespace native_blas
