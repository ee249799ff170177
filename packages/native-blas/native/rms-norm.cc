// rmsNorm(buffer, xOffset, wOffset, yOffset, rOffset, rows, d, eps): per row r = 1 / sqrt(mean(x^2) + eps), y = x * r * w.
#include <cmath>

#include "args.h"
#include "kernels.h"

namespace native_blas {

napi_value RmsNorm(napi_env env, napi_callback_info info) {
  KernelArgs args;
  if (!ReadArgs(env, info, 6, 1, &args)) return nullptr;
  const int64_t* v = args.v;
  const double eps = args.c[0];
  const int64_t rows = v[4], d = v[5];
  if (rows < 1 || d < 1 || !args.Fit({{v[0], rows * d}, {v[1], d}, {v[2], rows * d}, {v[3], rows}})) {
    return OutOfBounds(env, "rmsNorm");
  }
  float* base = args.base;
  const float* w = base + v[1];
  for (int64_t i = 0; i < rows; i++) {
    const float* x = base + v[0] + i * d;
    float* y = base + v[2] + i * d;
    float ss = 0.0f;
    for (int64_t j = 0; j < d; j++) ss += x[j] * x[j];
    const float r = 1.0f / std::sqrt(ss / static_cast<float>(d) + static_cast<float>(eps));
    base[v[3] + i] = r;
    for (int64_t j = 0; j < d; j++) y[j] = x[j] * r * w[j];
  }
  return nullptr;
}

}  // namespace native_blas
