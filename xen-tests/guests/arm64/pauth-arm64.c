/*
 * pauth-arm64: pointer authentication at EL1 as bare QEMU gives it (Linux
 * signs its return addresses with it): with SCTLR_EL1.EnIA set and a key in
 * APIAKey, PACIA signs a pointer, AUTIA restores it, and a pointer signed
 * with another modifier does not authenticate. A hypervisor that leaves
 * HCR_EL2.API/APK clear traps these (EC 0x09) and changes this record.
 */
#include "guest.h"

#define SCTLR_ENIA  (1UL << 31)
#define EC_PAC_FAIL 0x1c        /* FEAT_FPAC: a failed AUT* faults at once */

static volatile bool pac_fault;

static void on_pac_fail(struct trap_frame *f)
{
    uint32_t insn = *(const uint32_t *)f->elr;

    pac_fault = true;
    f->x[insn & 31] = 0;        /* AUT*'s Rd: what the test reads as "not authenticated" */
    f->elr += 4;
}

static uint64_t pacia(uint64_t ptr, uint64_t mod)
{
    __asm__ volatile(".arch armv8.3-a\n pacia %0, %1" : "+r"(ptr) : "r"(mod));
    return ptr;
}

static uint64_t autia(uint64_t ptr, uint64_t mod)
{
    __asm__ volatile(".arch armv8.3-a\n autia %0, %1" : "+r"(ptr) : "r"(mod));
    return ptr;
}

int main(void)
{
    uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
    bool pauth = ((isar1 >> 4) & 0xf) || ((isar1 >> 8) & 0xf) ||
                 ((read_sysreg(id_aa64isar2_el1) >> 12) & 0xf);
    uint64_t ptr = 0x40123450UL, signed_ptr, back;

    printf("pointer authentication: %s\n", pauth ? "yes" : "no");
    if (!pauth)
        return report_summary();
    write_sysreg(s3_0_c2_c1_0, 0x0123456789abcdefUL);      /* APIAKeyLo_EL1 */
    write_sysreg(s3_0_c2_c1_1, 0xfedcba9876543210UL);      /* APIAKeyHi_EL1 */
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_ENIA);
    isb();
    signed_ptr = pacia(ptr, 42);
    back = autia(signed_ptr, 42);
    report(signed_ptr != ptr, "PACIA adds a signature (%#lx)", (unsigned long)signed_ptr);
    report(back == ptr, "AUTIA with the same modifier restores the pointer");
    set_trap_handler(EC_PAC_FAIL, on_pac_fail);
    back = autia(signed_ptr, 43);
    report(back != ptr, "AUTIA with another modifier does not (%s)",
           pac_fault ? "PAC fail exception" : "poisoned pointer");
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~SCTLR_ENIA);
    isb();
    return report_summary();
}
