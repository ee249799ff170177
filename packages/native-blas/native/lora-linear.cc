// loraLinear(buffer, n, in, out, r, xOffset, wtOffset, aOffset, bOffset, yOffset, hOffset, scaling): a projection
// with one LoRA branch (PEFT layout: A [r, in], B [out, r]; the base weight as its transpose Wᵀ [in, out], the operand
// the plain projection multiplies by, so that B = 0 gives exactly its output) in three GEMMs on x [n, in]:
//   h = x Aᵀ [n, r],   y = x Wᵀ + s h Bᵀ [n, out]
#include "kernels.h"
#include "lora-linear.h"

namespace native_blas {

napi_value LoraLinear(napi_env env, napi_callback_info info) {
  KernelArgs args;
  LoraDims dims;
  if (!ReadLora(env, info, "loraLinear", 6, &args, &dims)) return nullptr;
  const int64_t* v = args.v;
  const int64_t n = dims.n, in = dims.in, out = dims.out, r = dims.r;
  if (!args.Fit({{v[4], n * in}, {v[5], in * out}, {v[6], r * in}, {v[7], out * r}, {v[8], n * out}, {v[9], n * r}})) {
    return Throw(env, "native-blas: loraLinear operands out of the buffer's bounds");
  }
  float* base = args.base;
  const float *x = base + v[4], *wt = base + v[5], *a = base + v[6], *b = base + v[7];
  float *y = base + v[8], *h = base + v[9];
  Gemm(false, true, n, r, in, 1.0f, x, a, 0.0f, h);
  Gemm(false, false, n, out, in, 1.0f, x, wt, 0.0f, y);
  Gemm(false, true, n, out, r, static_cast<float>(args.c[0]), h, b, 1.0f, y);  // c[0]: scaling
  return nullptr;
}

}  // namespace native_blas
