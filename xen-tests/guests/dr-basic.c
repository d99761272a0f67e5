/* dr-basic: MOV DR semantics a hypervisor must reproduce when it traps or
 * lazily switches the debug registers: read-back of DR0-3/6/7 including
 * fixed bits, DR4/DR5 aliasing (CR4.DE=0) and #UD (CR4.DE=1), #GP on the
 * upper 32 bits of DR6/DR7, #GP at CPL3. Prints a record plus assertions. */
#include "guest.h"

#define DR6_FIXED 0xffff0ff0UL       /* reserved-as-1 bits, as read back */

static long user_mov_dr7(void)
{
    unsigned long v;
    asm volatile("mov %%dr7,%0" : "=r"(v));
    return 0;                         /* reaching here means no #GP */
}

static long user_write_dr0(void)
{
    asm volatile("mov %0,%%dr0" :: "r"(0x1000UL));
    return 0;
}

static void check_vector(int got, int want, const char *what)
{
    printf("%s -> %s", what, vector_name(got));
    if (got >= 0)
        printf(" err=%#lx", last_trap.error_code);
    printf("\n");
    report(got == want, "%s raises %s", what, vector_name(want));
}

int main(void)
{
    static const unsigned long vals[4] = {
        0x0000000000401000UL, 0x00007fffdeadbee0UL, 0xffff800000000008UL, 0xfffffffffffff000UL,
    };
    unsigned long v;
    int e;

    /* DR0-DR3 hold full 64-bit linear addresses. */
    for (int n = 0; n < 4; n++)
        write_dr(n, vals[n]);
    for (int n = 0; n < 4; n++) {
        v = read_dr(n);
        printf("dr%d=%#lx\n", n, v);
        report(v == vals[n], "dr%d read back", n);
    }

    /* DR6: bits 4-11 and 16-31 read as 1 whatever is written. Bit 12 reads
     * 0 architecturally but QEMU TCG keeps it as written, so it is not
     * asserted here; the record line is compared with the architectural one
     * under the hypervisor (native-quirks.txt). */
    static const unsigned long dr6_w[] = { 0, 0xffffffffUL, 0x0000e00fUL, 0x00001000UL, 0x00010000UL };
    for (unsigned i = 0; i < ARRAY_SIZE(dr6_w); i++) {
        write_dr6(dr6_w[i]);
        v = read_dr6();
        printf("dr6 write %#lx read %#lx\n", dr6_w[i], v);
        report((v & DR6_FIXED) == DR6_FIXED && (v & 0xe00f) == (dr6_w[i] & 0xe00f),
               "dr6 write %#lx keeps fixed-1 bits and B0-3/BD/BS/BT", dr6_w[i]);
    }
    write_dr6(0);

    /* DR7: bit 10 reads as 1. Reserved bits 11, 12, 14, 15 read 0; QEMU TCG
     * keeps what was written, so they are recorded (and compared with the
     * architectural line under the hypervisor, native-quirks.txt).
     * Enables are harmless: DR0-3 point at nothing we touch, GD stays 0. */
    write_dr(0, 0); write_dr(1, 0); write_dr(2, 0); write_dr(3, 0);
    static const unsigned long dr7_w[] = { 0, 0x00000001UL, 0xffff03ffUL, 0xffffdfffUL };
    for (unsigned i = 0; i < ARRAY_SIZE(dr7_w); i++) {
        write_dr7(dr7_w[i]);
        v = read_dr7();
        write_dr7(0);
        printf("dr7 write %#lx read %#lx (reserved 11,12,14,15: %#lx)\n", dr7_w[i], v, v & 0xd800);
        report((v & 0x400) && (v & 0xffff03ffUL) == (dr7_w[i] & 0xffff03ffUL),
               "dr7 write %#lx reads back enables, GE/LE, RW/LEN and bit 10", dr7_w[i]);
    }

    /* CR4.DE=0: DR4/DR5 are aliases of DR6/DR7. */
    unsigned long cr4 = read_cr4();
    write_cr4(cr4 & ~X86_CR4_DE);
    write_dr(4, 0x1);                       /* B0 via the DR4 alias */
    v = read_dr6();
    printf("cr4.de=0: write dr4=0x1, dr6=%#lx dr4=%#lx\n", v, read_dr(4));
    report(v == (DR6_FIXED | 1) && read_dr(4) == v, "dr4 aliases dr6 with CR4.DE=0");
    write_dr6(0);
    write_dr(5, 0x2);                       /* G0 via the DR5 alias, DR0=0 */
    v = read_dr7();
    printf("cr4.de=0: write dr5=0x2, dr7=%#lx dr5=%#lx\n", v, read_dr(5));
    report(v == 0x402 && read_dr(5) == v, "dr5 aliases dr7 with CR4.DE=0");
    write_dr7(0);

    /* CR4.DE=1: any DR4/DR5 access is #UD. */
    write_cr4(cr4 | X86_CR4_DE);
    check_vector(try_read_dr(4, &v), 6, "cr4.de=1: read dr4");
    check_vector(try_write_dr(5, 0), 6, "cr4.de=1: write dr5");
    check_vector(try_read_dr(6, &v), -1, "cr4.de=1: read dr6");
    write_cr4(cr4);

    /* Upper 32 bits of DR6/DR7 are must-be-zero: #GP(0), value unchanged. */
    write_dr7(0x1);
    check_vector(try_write_dr(7, 1UL << 32), 13, "write dr7 bit 32");
    report(last_trap.error_code == 0, "dr7 #GP error code 0");
    v = read_dr7();
    printf("dr7 after faulting write %#lx\n", v);
    report(v == 0x401, "dr7 unchanged by the faulting write");
    write_dr7(0);
    write_dr6(0);
    check_vector(try_write_dr(6, 0x8000000000000000UL), 13, "write dr6 bit 63");
    v = read_dr6();
    printf("dr6 after faulting write %#lx\n", v);
    report(v == DR6_FIXED, "dr6 unchanged by the faulting write");

    /* Non-canonical DR0: recorded, not asserted (manuals say nothing clear). */
    e = try_write_dr(0, 0x0000800000000000UL);
    printf("write dr0 non-canonical -> %s, dr0=%#lx\n", vector_name(e), read_dr0());
    write_dr0(0);

    /* CPL3: MOV DR is privileged. */
    long r = run_user(user_mov_dr7);
    check_vector(r < 0 ? (int)(-1 - r) : -1, 13, "cpl3: read dr7");
    r = run_user(user_write_dr0);
    check_vector(r < 0 ? (int)(-1 - r) : -1, 13, "cpl3: write dr0");
    report(read_dr0() == 0, "dr0 unchanged by cpl3 write");

    return report_summary();
}
