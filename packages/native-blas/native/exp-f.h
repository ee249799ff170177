// e^x in float32 within 2 ulp (Cephes expf), shared by exp, swiglu and attention's softmax.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace native_blas {

// x = n ln2 + r with |r| <= ln2/2, e^r by a degree-6 polynomial, 2^n from the exponent bits. Branch-free, so the loop
// vectorises; glibc's scalar expf does not, and took 4 ns an element.
inline float ExpF(float x) {
  const float hi = 88.3762626647949f, lo = -87.3365447505531f;
  const float xc = std::max(std::min(x, hi), lo);
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  float y = p * scale;
  y = x > hi ? INFINITY : y;
  y = x < lo ? 0.0f : y;
  return x == x ? y : x;  // NaN stays NaN
}

}  // namespace native_blas
