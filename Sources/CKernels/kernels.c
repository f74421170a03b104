#include "CKernels.h"

#include <string.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

// Each kernel is compiled twice: 4-wide for baseline x86-64 (SSE2) and 8-wide for CPUs with AVX2 and FMA,
// chosen once at run time (SiLU also 16-wide for AVX-512). KERNEL_BODIES expands to the vector helpers and kernels for one vector type.

typedef float f4 __attribute__((ext_vector_type(4)));
typedef int i4 __attribute__((ext_vector_type(4)));
typedef float f8 __attribute__((ext_vector_type(8)));
typedef int i8 __attribute__((ext_vector_type(8)));
typedef float f16 __attribute__((ext_vector_type(16)));
typedef int i16 __attribute__((ext_vector_type(16)));

#define KERNEL_BODIES(SUFFIX, ATTRIBUTES, F, I, WIDTH)                                                          \
    /* Loads count <= WIDTH values; a partial vector is zero-padded. */                                       \
    static inline __attribute__((always_inline)) ATTRIBUTES F load_##SUFFIX(const float *p, ptrdiff_t count) { \
        F v;                                                                                                    \
        if (count == WIDTH) {                                                                                   \
            memcpy(&v, p, sizeof v);                                                                            \
            return v;                                                                                           \
        }                                                                                                       \
        float buffer[WIDTH] = {0};                                                                              \
        memcpy(buffer, p, (size_t)count * sizeof(float));                                                       \
        memcpy(&v, buffer, sizeof v);                                                                           \
        return v;                                                                                               \
    }                                                                                                           \
    static inline __attribute__((always_inline)) ATTRIBUTES void store_##SUFFIX(float *p, F v, ptrdiff_t count) {\
        if (count == WIDTH) {                                                                                   \
            memcpy(p, &v, sizeof v);                                                                            \
            return;                                                                                             \
        }                                                                                                       \
        float buffer[WIDTH];                                                                                    \
        memcpy(buffer, &v, sizeof v);                                                                           \
        memcpy(p, buffer, (size_t)count * sizeof(float));                                                       \
    }                                                                                                           \
    /* exp(x) = 2^n exp(r), x = n ln2 + r, |r| <= ln2/2; exp(r) by Cephes' degree-6 polynomial. */              \
    static inline ATTRIBUTES F exp_##SUFFIX(F x) {                                                              \
        /* Clamped so that n stays within the normal exponents (-126 ... 127). */                          \
        x = __builtin_elementwise_min(__builtin_elementwise_max(x, (F)(-87.3f)), (F)(88.3f));                  \
        const F magic = (F)(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer in the low bits */      \
        F shifted = x * 1.44269504088896341f + magic;                                                           \
        F n = shifted - magic;                                                                                  \
        F r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-6f;                                        \
        F p = (F)(1.9875691500e-4f);                                                                            \
        p = p * r + 1.3981999507e-3f;                                                                           \
        p = p * r + 8.3334519073e-3f;                                                                           \
        p = p * r + 4.1665795894e-2f;                                                                           \
        p = p * r + 1.6666665459e-1f;                                                                           \
        p = p * r + 5.0000001201e-1f;                                                                           \
        F er = (p * r * r + r) + 1.0f;                                                                          \
        I exponent = (I)shifted - (I)magic;                                                                     \
        return er * (F)((exponent + 127) << 23);                                                                \
    }                                                                                                           \
    static inline ATTRIBUTES F sigmoid_##SUFFIX(F x) { return 1.0f / (1.0f + exp_##SUFFIX(-x)); }             \
    /* log(x) for normal positive x: x = 2^e m, m in [sqrt(1/2), sqrt(2)); Cephes' logf polynomial in m - 1. */ \
    static inline ATTRIBUTES F log_##SUFFIX(F x) {                                                              \
        I bits;                                                                                                 \
        memcpy(&bits, &x, sizeof bits);                                                                         \
        I e = ((bits >> 23) & 0xFF) - 126;                                                                      \
        bits = (bits & 0x007FFFFF) | 0x3F000000; /* m in [0.5, 1) */                                            \
        F m;                                                                                                    \
        memcpy(&m, &bits, sizeof m);                                                                            \
        I small = m < 0.707106781186547524f; /* all ones where m < sqrt(1/2): use 2m, one less exponent */      \
        e = e + small;                                                                                          \
        F u = m - 1.0f + __builtin_convertvector(-small, F) * m;                                                \
        F z = u * u;                                                                                            \
        F p = (F)(7.0376836292e-2f);                                                                            \
        p = p * u - 1.1514610310e-1f;                                                                           \
        p = p * u + 1.1676998740e-1f;                                                                           \
        p = p * u - 1.2420140846e-1f;                                                                           \
        p = p * u + 1.4249322787e-1f;                                                                           \
        p = p * u - 1.6668057665e-1f;                                                                           \
        p = p * u + 2.0000714765e-1f;                                                                           \
        p = p * u - 2.4999993993e-1f;                                                                           \
        p = p * u + 3.3333331174e-1f;                                                                           \
        F fe = __builtin_convertvector(e, F);                                                                   \
        F y = u * z * p + fe * -2.12194440e-4f - 0.5f * z;                                                      \
        return u + y + fe * 0.693359375f;                                                                       \
    }                                                                                                           \
    /* softplus(x) = max(x, 0) + log(1 + exp(-|x|)). */                                                         \
    static inline ATTRIBUTES F softplus_##SUFFIX(F x) {                                                         \
        return __builtin_elementwise_max(x, (F)(0.0f)) + log_##SUFFIX(1.0f + exp_##SUFFIX(-__builtin_elementwise_abs(x))); \
    }                                                                                                           \
    static ATTRIBUTES void soft_bound_##SUFFIX(ptrdiff_t count, const float *x, float lower, float upper, float *y) { \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            F below = upper - softplus_##SUFFIX(upper - load_##SUFFIX(x + i, n));                               \
            store_##SUFFIX(y + i, lower + softplus_##SUFFIX(below - lower), n);                                 \
        }                                                                                                       \
    }                                                                                                           \
    static ATTRIBUTES void map_exp_##SUFFIX(ptrdiff_t count, const float *x, float *y) {                        \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            store_##SUFFIX(y + i, exp_##SUFFIX(load_##SUFFIX(x + i, n)), n);                                    \
        }                                                                                                       \
    }                                                                                                           \
    static ATTRIBUTES void map_sigmoid_##SUFFIX(ptrdiff_t count, const float *x, float *y) {                    \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            store_##SUFFIX(y + i, sigmoid_##SUFFIX(load_##SUFFIX(x + i, n)), n);                                \
        }                                                                                                       \
    }                                                                                                           \
    /* max(x, 0) as a select: -0 and NaN pass through, as in the Swift version this replaced. */               \
    static ATTRIBUTES void map_relu_##SUFFIX(ptrdiff_t count, const float *x, float *y) {                       \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            F v = load_##SUFFIX(x + i, n);                                                                      \
            store_##SUFFIX(y + i, (F)((I)v & ~(v < 0.0f)), n);                                                  \
        }                                                                                                       \
    }                                                                                                           \
    static ATTRIBUTES void relu_backward_##SUFFIX(ptrdiff_t count, const float *g, const float *x, float *dx) { \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            F passed = (F)((I)load_##SUFFIX(g + i, n) & ~(load_##SUFFIX(x + i, n) <= 0.0f));                    \
            store_##SUFFIX(dx + i, load_##SUFFIX(dx + i, n) + passed, n);                                       \
        }                                                                                                       \
    }                                                                                                           \
    /* g where the ReLU's output y passed its input (y > 0, or NaN), else 0, in place. */                       \
    static ATTRIBUTES void relu_mask_##SUFFIX(ptrdiff_t count, const float *y, float *g) {                      \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            store_##SUFFIX(g + i, (F)((I)load_##SUFFIX(g + i, n) & ~(load_##SUFFIX(y + i, n) <= 0.0f)), n);     \
        }                                                                                                       \
    }                                                                                                           \
    static ATTRIBUTES void map_silu_##SUFFIX(ptrdiff_t count, const float *x, float *y) {                       \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            F v = load_##SUFFIX(x + i, n);                                                                      \
            store_##SUFFIX(y + i, v * sigmoid_##SUFFIX(v), n);                                                  \
        }                                                                                                       \
    }                                                                                                           \
    static ATTRIBUTES void silu_backward_##SUFFIX(ptrdiff_t count, const float *g, const float *x, float *dx) { \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            F v = load_##SUFFIX(x + i, n);                                                                      \
            F s = sigmoid_##SUFFIX(v);                                                                          \
            F sum = load_##SUFFIX(dx + i, n) + load_##SUFFIX(g + i, n) * (s + v * s * (1.0f - s));             \
            store_##SUFFIX(dx + i, sum, n);                                                                     \
        }                                                                                                       \
    }                                                                                                           \
    static ATTRIBUTES void adam_##SUFFIX(                                                                      \
        ptrdiff_t count, float *theta, float *gradient, float *m, float *v, float b1, float b2, float step_size, \
        float inverse_root_correction2, float eps, float l2) {                                                  \
        for (ptrdiff_t i = 0; i < count; i += WIDTH) {                                                          \
            const ptrdiff_t n = count - i >= WIDTH ? WIDTH : count - i;                                         \
            F weights = load_##SUFFIX(theta + i, n);                                                            \
            F g = load_##SUFFIX(gradient + i, n) + l2 * weights;                                                \
            F mean = b1 * load_##SUFFIX(m + i, n) + (1.0f - b1) * g;                                            \
            F square = b2 * load_##SUFFIX(v + i, n) + (1.0f - b2) * g * g;                                      \
            store_##SUFFIX(m + i, mean, n);                                                                     \
            store_##SUFFIX(v + i, square, n);                                                                   \
            F root = __builtin_elementwise_sqrt(square);                                                        \
            store_##SUFFIX(theta + i, weights - step_size * mean / (root * inverse_root_correction2 + eps), n); \
            store_##SUFFIX(gradient + i, (F)(0.0f), n);                                                         \
        }                                                                                                       \
    }

KERNEL_BODIES(sse, , f4, i4, 4)
KERNEL_BODIES(avx2, __attribute__((target("avx2,fma"))), f8, i8, 8)
// 16-wide, used for SiLU only (the world model's planning spends a tenth of its time there); elementwise, so it
// gives the AVX2 version's numbers.
KERNEL_BODIES(avx512, __attribute__((target("avx512f,avx512dq,fma"))), f16, i16, 16)

/// Whether this CPU runs the AVX-512 versions.
static int use_avx512(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    }
    return cached;
}

/// Whether this CPU runs the AVX2 + FMA versions (decided once; a racy first call computes the same value).
static int use_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}

void lk_exp(ptrdiff_t count, const float *x, float *y) {
    if (use_avx2()) map_exp_avx2(count, x, y); else map_exp_sse(count, x, y);
}

void lk_soft_bound(ptrdiff_t count, const float *x, float lower, float upper, float *y) {
    if (use_avx2()) soft_bound_avx2(count, x, lower, upper, y); else soft_bound_sse(count, x, lower, upper, y);
}

void lk_sigmoid(ptrdiff_t count, const float *x, float *y) {
    if (use_avx2()) map_sigmoid_avx2(count, x, y); else map_sigmoid_sse(count, x, y);
}

void lk_silu(ptrdiff_t count, const float *x, float *y) {
    if (use_avx512()) map_silu_avx512(count, x, y);
    else if (use_avx2()) map_silu_avx2(count, x, y);
    else map_silu_sse(count, x, y);
}

void lk_silu_backward(ptrdiff_t count, const float *g, const float *x, float *dx) {
    if (use_avx2()) silu_backward_avx2(count, g, x, dx); else silu_backward_sse(count, g, x, dx);
}

void lk_relu(ptrdiff_t count, const float *x, float *y) {
    if (use_avx2()) map_relu_avx2(count, x, y); else map_relu_sse(count, x, y);
}

void lk_relu_backward(ptrdiff_t count, const float *g, const float *x, float *dx) {
    if (use_avx2()) relu_backward_avx2(count, g, x, dx); else relu_backward_sse(count, g, x, dx);
}

void lk_relu_mask(ptrdiff_t count, const float *y, float *g) {
    if (use_avx2()) relu_mask_avx2(count, y, g); else relu_mask_sse(count, y, g);
}

void lk_adam(
    ptrdiff_t count, float *theta, float *gradient, float *m, float *v, float b1, float b2, float step_size,
    float inverse_root_correction2, float eps, float l2) {
#if defined(__x86_64__)
    // Moments of weights whose gradient stays zero (dead ReLU units) decay into subnormal numbers within a few
    // hundred steps, and arithmetic on those is several times slower. Flushed to zero here, they change no weight:
    // an update of m / (sqrt(v) + eps) below 1e-30 is far under a weight's last bit.
    const unsigned int saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040);  // flush-to-zero and denormals-are-zero
#endif
    if (use_avx2())
        adam_avx2(count, theta, gradient, m, v, b1, b2, step_size, inverse_root_correction2, eps, l2);
    else
        adam_sse(count, theta, gradient, m, v, b1, b2, step_size, inverse_root_correction2, eps, l2);
#if defined(__x86_64__)
    _mm_setcsr(saved);
#endif
}
