// The addon's own single-precision GEMM, used when no BLAS library can be opened: the cblas_sgemm signature, so the
// fused kernels call it exactly as they call OpenBLAS.
#pragma once

// C = alpha op(A) op(B) + beta C, in CBLAS terms: order 101 row-major or 102 column-major, transposes 111 (no) or
// 112 (yes); op(A) is [m, k] and op(B) [k, n]. With beta = 0, C is not read (as in BLAS: NaN in C does not leak).
// Single-threaded; each calling thread has its own packing buffers.
void BuiltinSgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc);

// The micro-kernel in use, e.g. "AVX-512 12x32", "AVX2+FMA 6x16" or "portable 4x8": the best the CPU supports.
const char* BuiltinSgemmKernel();

// Switches to the kernels of `level` ("avx512", "avx2" or "portable"), for tests and measurements; returns the
// micro-kernel's name, or null (and changes nothing) where the CPU lacks that level.
const char* BuiltinSgemmUse(const char* level);
