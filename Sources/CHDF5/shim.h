// Swift cannot import HDF5's function-like macros (they expand to `(H5OPEN H5T_NATIVE_FLOAT_g)` and the like).
// Each macro the HDF5 module needs is exposed here as an inline getter named after it: shim_<MACRO>().
#ifndef LIFELONG_CHDF5_SHIM_H
#define LIFELONG_CHDF5_SHIM_H

#include <fcntl.h>
#include <hdf5.h>

// File access flags.
static inline unsigned shim_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned shim_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned shim_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned shim_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned shim_H5F_ACC_SWMR_WRITE(void) { return H5F_ACC_SWMR_WRITE; }
static inline unsigned shim_H5F_ACC_SWMR_READ(void) { return H5F_ACC_SWMR_READ; }
static inline unsigned shim_H5F_OBJ_ALL(void) { return H5F_OBJ_ALL; }
static inline unsigned shim_H5F_OBJ_LOCAL(void) { return H5F_OBJ_LOCAL; }
static inline H5F_libver_t shim_H5F_LIBVER_LATEST(void) { return H5F_LIBVER_LATEST; }
static inline H5F_libver_t shim_H5F_LIBVER_EARLIEST(void) { return H5F_LIBVER_EARLIEST; }

// Defaults and special values.
static inline hid_t shim_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t shim_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t shim_H5S_ALL(void) { return H5S_ALL; }
static inline hsize_t shim_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline size_t shim_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// Property-list classes.
static inline hid_t shim_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t shim_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t shim_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t shim_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }
static inline hid_t shim_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
static inline hid_t shim_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }
static inline hid_t shim_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t shim_H5P_ATTRIBUTE_CREATE(void) { return H5P_ATTRIBUTE_CREATE; }

// Native (memory) types.
static inline hid_t shim_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t shim_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t shim_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t shim_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t shim_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t shim_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t shim_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t shim_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t shim_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t shim_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }

// Little-endian file types: files are the same on every host.
static inline hid_t shim_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t shim_H5T_STD_I16LE(void) { return H5T_STD_I16LE; }
static inline hid_t shim_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t shim_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t shim_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t shim_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
static inline hid_t shim_H5T_STD_U32LE(void) { return H5T_STD_U32LE; }
static inline hid_t shim_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }
static inline hid_t shim_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t shim_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t shim_H5T_C_S1(void) { return H5T_C_S1; }

// Error classes: the library's own class, to tell its messages from others.
static inline hid_t shim_H5E_ERR_CLS(void) { return H5E_ERR_CLS; }

// Superblock status flags are cleared on open through this private file-access property; it is the mechanism
// the h5clear tool uses. Returns a negative value when this libhdf5 does not know the property.
static inline herr_t shim_set_clear_status_flags(hid_t fapl) {
    hbool_t clear = 1;
    return H5Pset(fapl, "clear_status_flags", &clear);
}

// `fcntl` is variadic, which Swift cannot call. libhdf5 opens files without close-on-exec (see
// Sources/HDF5/FileDescriptor.swift for why that matters).
static inline int shim_set_close_on_exec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}
static inline int shim_duplicate_close_on_exec(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, 0); }

#endif
