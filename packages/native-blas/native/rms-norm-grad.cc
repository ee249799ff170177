// rmsNormGrad(buffer, dyOffset, xOffset, wOffset, rOffset, dxOffset, rows, d): per row
// dx = r * w * dy - x * r^3 / d * sum(dy * w * x).
#include "args.h"
#include "kernels.h"

namespace native_blas {

napi_value RmsNormGrad(napi_env env, napi_callback_info info) {
  KernelArgs args;
  if (!ReadArgs(env, info, 7, 0, &args)) return nullptr;
  const int64_t* v = args.v;
  const int64_t rows = v[5], d = v[6];
  if (rows < 1 || d < 1 ||
      !args.Fit({{v[0], rows * d}, {v[1], rows * d}, {v[2], d}, {v[3], rows}, {v[4], rows * d}})) {
    return OutOfBounds(env, "rmsNormGrad");
  }
  float* base = args.base;
  const float* w = base + v[2];
  for (int64_t i = 0; i < rows; i++) {
    const float* dy = base + v[0] + i * d;
    const float* x = base + v[1] + i * d;
    float* dx = base + v[4] + i * d;
    const float r = base[v[3] + i];
    float dot = 0.0f;
    for (int64_t j = 0; j < d; j++) dot += dy[j] * w[j] * x[j];
    const float c = r * r * r * dot / static_cast<float>(d);
    for (int64_t j = 0; j < d; j++) dx[j] = r * w[j] * dy[j] - x[j] * c;
  }
  return nullptr;
}

}  // namespace native_blas
