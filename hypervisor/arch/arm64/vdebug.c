/*
 * Trapped guest debug-register accesses (MDCR_EL2.TDA/TDOSA/TDRA, EC 0x18).
 *
 * Policy today: trap. Every access exits; the guest's registers are kept in
 * the vCPU's view (struct vdebug_regs) and are in the hardware while the
 * vCPU runs, so its breakpoints, watchpoints and software step work at EL1
 * without the hypervisor. A trapped write is carried out on the hardware and
 * read back, so the view holds exactly what this CPU stores (RES0 bits,
 * BAS copies, bits writable only under the OS lock): the guest sees the
 * values it would see on bare hardware. Which registers exist comes from
 * ID_AA64DFR0_EL1; any other access in the debug space is UNDEFINED, as on
 * hardware.
 */
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <asm/sysreg.h>
#include <asm/vdebug.h>

#define OSLSR_OSLK      (1ULL << 1)

static unsigned nr_bp, nr_wp;

void vdebug_probe(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);

    nr_bp = (unsigned)((dfr0 >> 12) & 0xf) + 1;
    nr_wp = (unsigned)((dfr0 >> 20) & 0xf) + 1;
}

/* MRS/MSR need the register in the instruction: one case per number. */
#define N16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define ACCESSORS(reg)                                                              \
    static uint64_t hw_read_##reg(unsigned n)                                       \
    {                                                                               \
        switch (n) {                                                                \
        N16(READ_CASE_##reg)                                                        \
        }                                                                           \
        return 0;                                                                   \
    }                                                                               \
    static void hw_write_##reg(unsigned n, uint64_t v)                              \
    {                                                                               \
        switch (n) {                                                                \
        N16(WRITE_CASE_##reg)                                                       \
        }                                                                           \
    }
#define READ_CASE_bvr(n)  case n: return read_sysreg(dbgbvr##n##_el1);
#define READ_CASE_bcr(n)  case n: return read_sysreg(dbgbcr##n##_el1);
#define READ_CASE_wvr(n)  case n: return read_sysreg(dbgwvr##n##_el1);
#define READ_CASE_wcr(n)  case n: return read_sysreg(dbgwcr##n##_el1);
#define WRITE_CASE_bvr(n) case n: write_sysreg(dbgbvr##n##_el1, v); break;
#define WRITE_CASE_bcr(n) case n: write_sysreg(dbgbcr##n##_el1, v); break;
#define WRITE_CASE_wvr(n) case n: write_sysreg(dbgwvr##n##_el1, v); break;
#define WRITE_CASE_wcr(n) case n: write_sysreg(dbgwcr##n##_el1, v); break;
ACCESSORS(bvr)
ACCESSORS(bcr)
ACCESSORS(wvr)
ACCESSORS(wcr)

void vdebug_reset(struct vdebug_regs *r)
{
    memset(r, 0, sizeof(*r));
    r->oslsr = OSLSR_OSLK;      /* the OS lock is set at cold reset */
}

void vdebug_load(struct vcpu *v)
{
    struct vdebug_regs *r = &v->arch.dbgregs;
    uint64_t mdcr = read_sysreg(mdcr_el2);
    unsigned n;

    write_sysreg(mdcr_el2, (mdcr & MDCR_HPMN_MASK) | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA);
    write_sysreg(oslar_el1, 1);     /* MDSCR's save/restore bits are writable locked */
    for (n = 0; n < nr_bp; n++) {
        hw_write_bvr(n, r->bvr[n]);
        hw_write_bcr(n, r->bcr[n]);
    }
    for (n = 0; n < nr_wp; n++) {
        hw_write_wvr(n, r->wvr[n]);
        hw_write_wcr(n, r->wcr[n]);
    }
    write_sysreg(mdscr_el1, r->mdscr);
    write_sysreg(dbgclaimclr_el1, 0xff);
    write_sysreg(dbgclaimset_el1, r->claim);
    write_sysreg(osdlr_el1, r->osdlr);
    write_sysreg(oslar_el1, (r->oslsr & OSLSR_OSLK) ? 1 : 0);
    isb();
    r->counters.dr_loads++;
}

/* Breakpoint/watchpoint pairs: op1 0, CRn 0, CRm = n, op2 4-7. */
static bool slot_access(struct vdebug_regs *r, struct sysreg_access *a)
{
    unsigned n = a->crm;
    uint64_t *view;

    switch (a->op2) {
    case 4: case 5:
        if (n >= nr_bp)
            return false;
        view = a->op2 == 4 ? &r->bvr[n] : &r->bcr[n];
        if (a->write) {
            if (a->op2 == 4) { hw_write_bvr(n, a->value); *view = hw_read_bvr(n); }
            else             { hw_write_bcr(n, a->value); *view = hw_read_bcr(n); }
        }
        break;
    case 6: case 7:
        if (n >= nr_wp)
            return false;
        view = a->op2 == 6 ? &r->wvr[n] : &r->wcr[n];
        if (a->write) {
            if (a->op2 == 6) { hw_write_wvr(n, a->value); *view = hw_read_wvr(n); }
            else             { hw_write_wcr(n, a->value); *view = hw_read_wcr(n); }
        }
        break;
    default:
        return false;
    }
    if (!a->write)
        a->value = *view;
    return true;
}

/* Reads with no state of the guest's own: the hardware's value. */
static bool read_only(struct sysreg_access *a, unsigned enc)
{
    if (a->write)
        return false;
    switch (enc) {
    case SYSREG_ENC(0, 1, 0, 0): a->value = read_sysreg(mdrar_el1); return true;
    case SYSREG_ENC(0, 7, 14, 6): a->value = read_sysreg(dbgauthstatus_el1); return true;
    case SYSREG_ENC(3, 0, 1, 0): a->value = read_sysreg(mdccsr_el0); return true;
    default: return false;
    }
}

static bool control_access(struct vdebug_regs *r, struct sysreg_access *a, unsigned enc)
{
    switch (enc) {
    case SYSREG_ENC(0, 0, 2, 2):                       /* MDSCR_EL1 */
        if (a->write) {
            write_sysreg(mdscr_el1, a->value);
            r->mdscr = read_sysreg(mdscr_el1);
        }
        a->value = r->mdscr;
        return true;
    case SYSREG_ENC(0, 1, 0, 4):                       /* OSLAR_EL1: write-only */
        if (!a->write)
            return false;
        write_sysreg(oslar_el1, a->value);
        isb();
        r->oslsr = read_sysreg(oslsr_el1);
        return true;
    case SYSREG_ENC(0, 1, 1, 4):                       /* OSLSR_EL1: read-only */
        if (a->write)
            return false;
        a->value = read_sysreg(oslsr_el1);
        return true;
    case SYSREG_ENC(0, 1, 3, 4):                       /* OSDLR_EL1 */
        if (a->write) {
            write_sysreg(osdlr_el1, a->value);
            r->osdlr = read_sysreg(osdlr_el1);
        }
        a->value = r->osdlr;
        return true;
    case SYSREG_ENC(0, 7, 8, 6):                       /* DBGCLAIMSET_EL1 */
    case SYSREG_ENC(0, 7, 9, 6):                       /* DBGCLAIMCLR_EL1 */
        if (a->write) {
            if (a->crm == 8)
                write_sysreg(dbgclaimset_el1, a->value);
            else
                write_sysreg(dbgclaimclr_el1, a->value);
            r->claim = read_sysreg(dbgclaimclr_el1);
        }
        a->value = a->crm == 8 ? read_sysreg(dbgclaimset_el1) : r->claim;
        return true;
    default:
        return false;
    }
}

bool vdebug_access(struct vcpu *v, struct sysreg_access *a)
{
    struct vdebug_regs *r = &v->arch.dbgregs;
    unsigned enc = SYSREG_ENC(a->op1, a->crn, a->crm, a->op2);
    bool ok;

    if (a->op0 != 2)
        return false;
    if (a->op1 == 0 && a->crn == 0 && a->op2 >= 4)
        ok = slot_access(r, a);
    else
        ok = read_only(a, enc) || control_access(r, a, enc);
    if (ok)
        r->counters.dr_access_exits++;
    return ok;
}
