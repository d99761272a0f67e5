/* Built against Debian's libxen-dev headers: prints their layout and enum
 * values as a header the checker (built against ours) asserts against. */
#include <stddef.h>
#include <stdio.h>
#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>
#include "abi_list.h"

/* Debian's side of the signature check. */
#define G(fn, ret, args) \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&fn), ret (*) args), \
                   "Xen 4.17's " #fn " differs from abi_list.h");
ABI_SIGS
#undef G

int main(void)
{
    printf("/* Generated from Debian libxen-dev headers. Do not edit. */\n");
#define S(t) printf("#define XEN_SIZEOF_%s %zu\n", #t, sizeof(t));
    ABI_STRUCTS
#undef S
#define F(t, f) printf("#define XEN_OFF_%s_%s %zu\n#define XEN_SZ_%s_%s %zu\n", \
                       #t, #f, offsetof(t, f), #t, #f, sizeof(((t *)0)->f));
    ABI_FIELDS
#undef F
#define E(e) printf("#define XEN_VAL_%s (%lld)\n", #e, (long long)(e));
    ABI_ENUMS
#undef E
    return 0;
}
