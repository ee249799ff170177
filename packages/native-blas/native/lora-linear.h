// What lora-linear.cc and lora-linear-grad.cc share: reading their sizes, offsets and scaling.
#pragma once

#include <cstdint>
#include <string>

#include "args.h"
#include "blas.h"

namespace native_blas {

// The sizes of a LoRA projection: n rows, in and out features, rank r.
struct LoraDims {
  int64_t n, in, out, r;
};

// Reads `(buffer, n, in, out, r, offsets..., scaling)`: the sizes into dims, the `offsets` operand offsets into
// args->v[4..], scaling into args->c[0]. A size below 1 is out of bounds.
inline bool ReadLora(napi_env env, napi_callback_info info, const char* name, int offsets, KernelArgs* args,
                     LoraDims* dims) {
  if (!BlasLoaded(env, name)) return false;
  if (!ReadArgs(env, info, 4 + offsets, 1, args)) return false;
  *dims = LoraDims{args->v[0], args->v[1], args->v[2], args->v[3]};
  if (dims->n < 1 || dims->in < 1 || dims->out < 1 || dims->r < 1) {
    Throw(env, std::string("native-blas: ") + name + " operands out of the buffer's bounds");
    return false;
  }
  return true;
}

}  // namespace native_blas
