// Elementwise kernels for Neural that Swift 6.3 does not vectorise on x86-64: its SIMD squareRoot() and
// min/max lower to scalar instructions (measured: 1.4 ns per value against well under 0.2 here). Written with
// clang vector extensions, eight values at a time, with a scalar-padded tail. No allocation, no globals.
#ifndef LIFELONG_CKERNELS_H
#define LIFELONG_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// y = exp(x), |relative error| < 4e-7 on [-87, 88]; inputs are clamped to [-87.3, 88.3], so the result
/// saturates near 2e38 instead of overflowing.
void lk_exp(ptrdiff_t count, const float *x, float *y);
/// PETS' soft clamp of log-variances into [lower, upper]: y = lower + softplus(upper - softplus(upper - x) - lower),
/// softplus(x) = max(x, 0) + log(1 + exp(-|x|)); |error| < 2e-6 (a few float ulps; x may alias y).
void lk_soft_bound(ptrdiff_t count, const float *x, float lower, float upper, float *y);
/// y = 1 / (1 + exp(-x)).
void lk_sigmoid(ptrdiff_t count, const float *x, float *y);
/// y = x * sigmoid(x) (SiLU / swish).
void lk_silu(ptrdiff_t count, const float *x, float *y);
/// y = x < 0 ? 0 : x (ReLU; -0 and NaN pass through).
void lk_relu(ptrdiff_t count, const float *x, float *y);
/// dx += x > 0 ? g : 0 (NaN x passes g).
void lk_relu_backward(ptrdiff_t count, const float *g, const float *x, float *dx);
/// g = y > 0 ? g : 0 in place, y a ReLU's output (the elements lk_relu_backward passes, read from the output).
void lk_relu_mask(ptrdiff_t count, const float *y, float *g);
/// dx += g * d/dx[x * sigmoid(x)].
void lk_silu_backward(ptrdiff_t count, const float *g, const float *x, float *dx);

/// One Adam update, PyTorch's rule, then zeroes the gradient:
/// g' = g + l2*theta; m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2;
/// theta -= step_size * m / (sqrt(v) * inverse_root_correction2 + eps).
void lk_adam(
    ptrdiff_t count, float *theta, float *gradient, float *m, float *v, float b1, float b2, float step_size,
    float inverse_root_correction2, float eps, float l2);

/// Squared Euclidean distances ‖q‖² + ‖k‖² − 2 q·k from nq queries ([nq × dim], norms given) to the keys of
/// npanels panels of 16 (panel p: [dim × 16], dimension-major; key_norms: 16 per panel), into out[q * stride +
/// p * 16 + lane]. The episodic store's exact search.
void lk_l2_panels(
    ptrdiff_t nq, ptrdiff_t dim, const float *queries, const float *query_norms, ptrdiff_t npanels,
    const float *panels, const float *key_norms, float *out, ptrdiff_t stride);

/// Whether this CPU has AVX512_BF16 (the lk_bf16_* products below run only where it does).
int lk_bf16_available(void);
/// bf16 values that `lk_bf16_pack` writes for a k × n matrix: ⌈k/2⌉ pairs × n rounded up to 16 columns × 2.
ptrdiff_t lk_bf16_packed_count(ptrdiff_t k, ptrdiff_t n);
/// Packs the row-major float matrix w (k × n, rows `ldw` apart) as bf16 (round to nearest even) in the layout
/// VDPBF16PS reads: packed[(pair * n16 + column) * 2 + half] = w[2 * pair + half][column], zero-padded.
void lk_bf16_pack(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed);
/// Converts m rows of k floats (rows `lda` apart) to bf16 rows `ldo` apart (ldo even, ≥ k), zero-padding each row.
void lk_bf16_convert(ptrdiff_t m, ptrdiff_t k, const float *a, ptrdiff_t lda, uint16_t *out, ptrdiff_t ldo);
/// `lk_bf16_pack`'s layout for B = wᵀ, where w is n × k (rows `ldw` apart): a layer's weights packed for the
/// product with its output gradient. Needs `lk_bf16_available()`.
void lk_bf16_pack_transposed(ptrdiff_t k, ptrdiff_t n, const float *w, ptrdiff_t ldw, uint16_t *packed);
/// `lk_bf16_convert` of xᵀ, where x is k × m (rows `ldx` apart): m bf16 rows of k values, `ldo` apart (ldo even,
/// ≥ k), zero-padded — a layer's inputs as the left operand of its weight gradient. Needs `lk_bf16_available()`.
void lk_bf16_convert_transposed(ptrdiff_t m, ptrdiff_t k, const float *x, ptrdiff_t ldx, uint16_t *out, ptrdiff_t ldo);
/// c = bias + a · B for bf16 a (m × k, rows `lda` apart, lda even, zero past k) and B packed by `lk_bf16_pack`,
/// accumulated in float (m × n into c, rows `ldc` apart); with `bias` NULL, c += a · B. Needs `lk_bf16_available()`.
void lk_bf16_gemm(
    ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const uint16_t *a, ptrdiff_t lda, const uint16_t *packed,
    const float *bias, float *c, ptrdiff_t ldc);

/// A helper thread for fork/join within one update (see lane.c). `lk_lane_post` hands it `task(context)`;
/// `lk_lane_wait` returns once that task has finished. One poster at a time, one task in flight.
typedef struct lk_lane lk_lane;
/// Starts the helper thread; NULL if the thread cannot be created.
lk_lane *lk_lane_create(void);
void lk_lane_post(lk_lane *lane, void (*task)(void *), void *context);
void lk_lane_wait(lk_lane *lane);
/// Stops and joins the helper thread.
void lk_lane_destroy(lk_lane *lane);

#endif
