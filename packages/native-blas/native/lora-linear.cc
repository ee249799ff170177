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
  if (!ReadLora(env, info, "loraLinear", kLoraLinearOperands, &args, &dims)) return nullptr;
  const float *x = args.x[0], *wt = args.x[1], *a = args.x[2], *b = args.x[3];
  float *y = args.x[4], *h = args.x[5];
  const int64_t n = dims.n, in = dims.in, out = dims.out, r = dims.r;
  Gemm(false, true, n, r, in, 1.0f, x, a, 0.0f, h);
  Gemm(false, false, n, out, in, 1.0f, x, wt, 0.0f, y);
  Gemm(false, true, n, out, r, static_cast<float>(args.c[0]), h, b, 1.0f, y);  // c[0]: scaling
  return nullptr;
}

}  // namespace native_blas
