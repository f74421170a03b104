// OpenBLAS through its CBLAS interface, plus the OpenBLAS extensions that report the kernel and thread count
// (run logs record both, because results are not bitwise reproducible across kernels).
#ifndef LIFELONG_CBLAS_SHIM_H
#define LIFELONG_CBLAS_SHIM_H

#include <cblas.h>

#endif
