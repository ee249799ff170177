// What lora-linear.cc and lora-linear-grad.cc share: their operands' shapes, and reading their sizes, operands and
// scaling.
#pragma once

#include <cstdint>

#include "args.h"
#include "blas.h"

namespace native_blas {

// The sizes of a LoRA projection: n rows, in and out features, rank r.
struct LoraDims {
  int64_t n, in, out, r;
};

// One of those sizes, numbered as the entry points take them: `(buffer, n, in, out, r, ...)`.
enum LoraDim { kN, kIn, kOut, kR };

// An operand's shape [rows, cols] in those sizes.
struct LoraShape {
  LoraDim rows, cols;
};

// loraLinear's operands, in argument order: x [n, in], Wᵀ [in, out], A [r, in], B [out, r], then the outputs y [n, out]
// and h [n, r].
constexpr LoraShape kLoraLinearOperands[] = {{kN, kIn}, {kIn, kOut}, {kR, kIn}, {kOut, kR}, {kN, kOut}, {kN, kR}};
// loraLinearGrad's: dy [n, out], x [n, in], h [n, r], W [out, in], A [r, in], B [out, r], then the outputs dx [n, in],
// dA [r, in] and dB [out, r].
constexpr LoraShape kLoraLinearGradOperands[] = {{kN, kOut}, {kN, kIn}, {kN, kR}, {kOut, kIn}, {kR, kIn},
                                                 {kOut, kR}, {kN, kIn}, {kR, kIn}, {kOut, kR}};

// Reads `(buffer, n, in, out, r, offsets..., scaling)` with one offset for each of `shapes`: the sizes into dims, the
// operands into args->x (as Bind), scaling into args->c[0]. A size below 1 is out of bounds.
template <int kCount>
bool ReadLora(napi_env env, napi_callback_info info, const char* name, const LoraShape (&shapes)[kCount],
              KernelArgs* args, LoraDims* dims) {
  if (!BlasLoaded(env, name)) return false;
  if (!ReadArgs(env, info, 4 + kCount, 1, args)) return false;
  const int64_t* v = args->v;  // n, in, out, r, in LoraDim order
  *dims = LoraDims{v[kN], v[kIn], v[kOut], v[kR]};
  if (dims->n < 1 || dims->in < 1 || dims->out < 1 || dims->r < 1) {
    OutOfBounds(env, name);
    return false;
  }
  int64_t sizes[kCount];
  for (int i = 0; i < kCount; i++) sizes[i] = v[shapes[i].rows] * v[shapes[i].cols];
  return Bind(env, name, 4, sizes, kCount, args);
}

}  // namespace native_blas
