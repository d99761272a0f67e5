/* Reference model of MOV DR (see ref_model.h). Bit by bit from the manuals' register
 * layouts, not from the hypervisor's masks. */
#include "ref_model.h"

#define BIT(n) (1ULL << (n))

/* DR6: B0-B3 (0-3), BD (13), BS (14), BT (15) hold what is written; bit 16 (RTM, active
 * low) too if RTM is offered; bit 12 and bits 32-63 read 0; every other bit reads 1. */
uint64_t ref_dr6_stored(uint64_t v, bool rtm)
{
    uint64_t out = 0;

    for (unsigned b = 0; b < 32; b++) {
        bool writable = b <= 3 || b == 13 || b == 14 || b == 15 || (b == 16 && rtm);
        bool reads_one = !writable && b != 12;

        if (writable ? (v & BIT(b)) != 0 : reads_one)
            out |= BIT(b);
    }
    return out;
}

/* DR7: L0-G3 (0-7), LE (8), GE (9), GD (13), R/W and LEN (16-31) hold what is written;
 * bit 11 (RTM) too if RTM is offered; bit 10 reads 1; 12, 14, 15 and 32-63 read 0. */
uint64_t ref_dr7_stored(uint64_t v, bool rtm)
{
    uint64_t out = BIT(10);

    for (unsigned b = 0; b < 32; b++) {
        bool writable = b <= 9 || b == 13 || b >= 16 || (b == 11 && rtm);

        if (writable && (v & BIT(b)))
            out |= BIT(b);
    }
    return out;
}

enum ref_outcome ref_mov_dr(struct ref_cpu *c, unsigned reg, bool write, uint64_t *val)
{
    /* The order is the one docs/debug-registers.md gives (privilege, register decode,
     * general detect, reserved bits). QEMU 10 TCG, natively, raises #UD for MOV DR8 at
     * CPL 3 (decode first) and #DB for DR8 with GD at CPL 0, before any SVM intercept,
     * so that corner is not observable by a guest under QEMU. */
    /* 1. privilege */
    if (c->cpl != 0)
        return REF_GP;
    /* 2. the register must exist: DR8-DR15 never do, DR4/DR5 only as aliases of DR6/DR7
     *    while CR4.DE is clear */
    if (reg >= 8)
        return REF_UD;
    if (reg == 4 || reg == 5) {
        if (c->cr4_de)
            return REF_UD;
        reg = reg == 4 ? 6 : 7;
    }
    /* 3. general detect: the access is not performed */
    if (c->dr7 & BIT(13)) {
        c->dr6 |= BIT(13);
        c->dr7 &= ~BIT(13);
        return REF_DB;
    }
    if (!write) {
        uint64_t v = reg < 4 ? c->dr[reg] : reg == 6 ? c->dr6 : c->dr7;
        *val = c->long_mode ? v : (uint32_t)v;
        return REF_DONE;
    }
    /* 4. a write: outside 64-bit mode the operand is 32 bits; in 64-bit mode bits 63:32
     *    of DR6/DR7 must be zero */
    uint64_t v = c->long_mode ? *val : (uint32_t)*val;
    if ((reg == 6 || reg == 7) && (v >> 32) != 0)
        return REF_GP;
    if (reg < 4)
        c->dr[reg] = v;
    else if (reg == 6)
        c->dr6 = ref_dr6_stored(v, c->rtm);
    else
        c->dr7 = ref_dr7_stored(v, c->rtm);
    return REF_DONE;
}
