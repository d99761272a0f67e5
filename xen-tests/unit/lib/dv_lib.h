/* Declares the hypervisor's string/printf routines under dv_* names so a hosted
 * test can call them next to glibc's. The lib sources are compiled with
 * -DDV_KEEP_RENAMES -include dv_lib.h, so they define the dv_* symbols. */
#ifndef DV_LIB_H
#define DV_LIB_H

#define memcpy    dv_memcpy
#define memmove   dv_memmove
#define memset    dv_memset
#define memcmp    dv_memcmp
#define strlen    dv_strlen
#define strnlen   dv_strnlen
#define strcmp    dv_strcmp
#define strncmp   dv_strncmp
#define strchr    dv_strchr
#define vsnprintf dv_vsnprintf
#define snprintf  dv_snprintf
#include <dbgvisor/lib.h>

#ifndef DV_KEEP_RENAMES
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef vsnprintf
#undef snprintf
#endif

#endif
