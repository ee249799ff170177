// The plumbing every entry point of the addon shares, kept out of the kernels as llm.c keeps its in llmc/: reading the
// N-API arguments and checking that each operand lies inside the buffer. A kernel then reads its arguments in one call
// (ReadArgs), checks its operands and points at them in one more (Bind), and runs a plain loop over float pointers; an
// element-wise kernel does both in one call (ReadElementwise).
//
// Every failure throws a JavaScript error (a pending exception) and returns false or nullptr; the caller returns.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace native_blas {

inline napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

// Throws "native-blas: <name> operands out of the buffer's bounds".
inline napi_value OutOfBounds(napi_env env, const char* name) {
  return Throw(env, std::string("native-blas: ") + name + " operands out of the buffer's bounds");
}

// Reads at least `want` arguments into argv.
inline bool GetArgs(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < want) {
    napi_throw_error(env, nullptr, "native-blas: wrong number of arguments");
    return false;
  }
  return true;
}

inline bool GetNumber(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    napi_throw_type_error(env, nullptr, "native-blas: expected a number");
    return false;
  }
  return true;
}

// Reads an ArrayBuffer argument into a float pointer and its length in floats; `message` is the error when it is not
// one.
inline bool GetBuffer(napi_env env, napi_value v, float** data, int64_t* floats,
                      const char* message = "native-blas: expected an ArrayBuffer") {
  void* raw = nullptr;
  size_t bytes = 0;
  bool is_ab = false;
  napi_is_arraybuffer(env, v, &is_ab);
  if (!is_ab || napi_get_arraybuffer_info(env, v, &raw, &bytes) != napi_ok) {
    napi_throw_type_error(env, nullptr, message);
    return false;
  }
  *data = static_cast<float*>(raw);
  *floats = static_cast<int64_t>(bytes / sizeof(float));
  return true;
}

// Reads at least `want` arguments into argv, the first an ArrayBuffer (as GetBuffer).
inline bool GetBufferArgs(napi_env env, napi_callback_info info, size_t want, napi_value* argv, float** data,
                          int64_t* floats, const char* message = "native-blas: expected an ArrayBuffer") {
  return GetArgs(env, info, want, argv) && GetBuffer(env, argv[0], data, floats, message);
}

// Reads `count` numbers.
inline bool GetNumbers(napi_env env, napi_value* argv, int count, double* out) {
  for (int i = 0; i < count; i++) {
    if (!GetNumber(env, argv[i], &out[i])) return false;
  }
  return true;
}

// Reads `count` numbers, truncated to integers.
inline bool GetInts(napi_env env, napi_value* argv, int count, int64_t* out) {
  for (int i = 0; i < count; i++) {
    double d;
    if (!GetNumber(env, argv[i], &d)) return false;
    out[i] = static_cast<int64_t>(d);
  }
  return true;
}

// Whether `size` floats from element `off` lie in a buffer of `floats` floats.
inline bool InBounds(int64_t off, int64_t size, int64_t floats) { return off >= 0 && size >= 0 && off + size <= floats; }

// An operand: `size` floats from element `off` of the buffer.
struct Range {
  int64_t off, size;
};

// The arguments of a kernel entry point, `(buffer, ints integers, reals numbers)`: the buffer as floats, the integers
// (offsets and sizes, in float elements) in v, the numbers (scalars) in c; Bind points x at the operands.
struct KernelArgs {
  static constexpr int kMaxInts = 24, kMaxReals = 8;
  float* base = nullptr;
  int64_t floats = 0;
  int64_t v[kMaxInts] = {};
  double c[kMaxReals] = {};
  float* x[kMaxInts] = {};

  // Whether every operand lies in the buffer.
  bool Fit(std::initializer_list<Range> operands) const {
    for (const Range& r : operands) {
      if (!InBounds(r.off, r.size, floats)) return false;
    }
    return true;
  }
};

// Reads a kernel entry point's arguments (ints <= kMaxInts, reals <= kMaxReals).
inline bool ReadArgs(napi_env env, napi_callback_info info, int ints, int reals, KernelArgs* args) {
  napi_value argv[1 + KernelArgs::kMaxInts + KernelArgs::kMaxReals];
  return GetBufferArgs(env, info, static_cast<size_t>(1 + ints + reals), argv, &args->base, &args->floats) &&
         GetInts(env, argv + 1, ints, args->v) && GetNumbers(env, argv + 1 + ints, reals, args->c);
}

// Checks that the `count` operands at the offsets v[first ..] lie in the buffer, sizes[i] floats each, and points
// x[0 .. count) at them; else throws that `name`'s operands are out of bounds.
inline bool Bind(napi_env env, const char* name, int first, const int64_t* sizes, int count, KernelArgs* args) {
  const int64_t* offsets = args->v + first;
  for (int i = 0; i < count; i++) {
    if (!InBounds(offsets[i], sizes[i], args->floats)) {
      OutOfBounds(env, name);
      return false;
    }
  }
  for (int i = 0; i < count; i++) args->x[i] = args->base + offsets[i];
  return true;
}

// Where an element-wise entry point takes its length n: before the offsets or after them.
enum class CountAt { kFirst, kLast };

// Reads an element-wise entry point, `(buffer, offsets..., n, reals...)` or with kFirst `(buffer, n, offsets...,
// reals...)`: `count` operands of n floats each, bound to args->x (as Bind), and the reals into args->c.
inline bool ReadElementwise(napi_env env, napi_callback_info info, const char* name, int count, CountAt at, int reals,
                            KernelArgs* args, int64_t* n) {
  if (!ReadArgs(env, info, count + 1, reals, args)) return false;
  *n = args->v[at == CountAt::kFirst ? 0 : count];
  int64_t sizes[KernelArgs::kMaxInts];
  for (int i = 0; i < count; i++) sizes[i] = *n;
  return Bind(env, name, at == CountAt::kFirst ? 1 : 0, sizes, count, args);
}

}  // namespace native_blas
