/*
 * Boot probe: does this platform keep reserved DR6/DR7 bits as a guest
 * writes them?
 *
 * On a CPU, DR7 bits 11-12 and 14-15 read as 0 and DR6's reserved bits read
 * as 1 whatever was written; QEMU's TCG keeps what the guest wrote. Where
 * the platform keeps them, an untrapped guest (the lazy policies) would read
 * back values no CPU gives, so its DR6/DR7 writes must still exit and the
 * debug core applies the masks. Where it does not, they need not exit and a
 * lazy vCPU's debug-register accesses are all exit-free.
 *
 * The probe runs a few instructions as a guest with no DR intercepts: 32-bit
 * protected mode, paging and NPT off (guest-physical = host-physical), on
 * the boot pCPU before any domain exists:
 *     mov $0xd400,%eax; mov %eax,%dr7; mov %dr7,%ebx   (reserved 12, 14, 15)
 *     xor %eax,%eax;    mov %eax,%dr6; mov %dr6,%ecx   (reserved ones cleared)
 *     vmmcall
 * The boot option dr_write_exits=on|off forces either path.
 */
#include <asm/hvm.h>
#include <asm/svm.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/percpu.h>
#include <asm/svm_asid.h>
#include <asm/svm_dr_probe.h>
#include <dbgvisor/debug_arch.h>
#include <public/control.h>
#include "svm_internal.h"

#define PROBE_DR7       0xd400u          /* bit 10 (fixed 1) + reserved 12, 14, 15 */
#define DR7_KEPT_BITS   0xd000u
#define DR6_READS_ONE   0xffff0ff0u      /* DR6 bits that read as 1 (bit 16: without RTM) */
#define PROBE_ASID      1

static const uint8_t probe_code[] = {
    0xb8, 0x00, 0xd4, 0x00, 0x00,        /* mov $0xd400, %eax */
    0x0f, 0x23, 0xf8,                    /* mov %eax, %dr7 */
    0x0f, 0x21, 0xfb,                    /* mov %dr7, %ebx */
    0x31, 0xc0,                          /* xor %eax, %eax */
    0x0f, 0x23, 0xf0,                    /* mov %eax, %dr6 */
    0x0f, 0x21, 0xf1,                    /* mov %dr6, %ecx */
    0x0f, 0x01, 0xd9,                    /* vmmcall */
};

static enum dr_probe_result probed = DR_PROBE_NOT_RUN;
static bool writes_exit = true;          /* until the probe or the boot option says */
static bool forced;

static void flat(struct vmcb_seg *s, uint16_t sel, uint16_t attrib)
{
    *s = (struct vmcb_seg){ .sel = sel, .attrib = attrib, .limit = 0xffffffff, .base = 0 };
}

/* Run the probe guest; the probe result, or DR_PROBE_FAILED if it did not reach VMMCALL. */
static enum dr_probe_result run_probe(void)
{
    uint64_t pages = palloc_alloc(2, 1);
    struct vmcb *vmcb = (struct vmcb *)pages;
    uint8_t *code = (uint8_t *)(pages + PAGE_SIZE);
    uint64_t gpr[16] = { 0 };
    enum dr_probe_result r = DR_PROBE_FAILED;

    if (!pages)
        return DR_PROBE_FAILED;
    memset(vmcb, 0, PAGE_SIZE);
    memcpy(code, probe_code, sizeof(probe_code));
    vmcb->control.intercept_exceptions = 0xffffffffu;    /* anything unexpected exits */
    vmcb->control.intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SHUTDOWN;
    vmcb->control.intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL;
    vmcb->control.iopm_base_pa = pages;                  /* not consulted: no I/O or MSR intercept */
    vmcb->control.msrpm_base_pa = pages;
    vmcb->control.asid = PROBE_ASID;
    vmcb->control.tlb_control = SVM_TLB_CONTROL_FLUSH_ALL;
    vmcb->save.efer = EFER_SVME;
    vmcb->save.cr0 = X86_CR0_PE | X86_CR0_ET;
    vmcb->save.rflags = 0x2;                             /* IF=0 */
    vmcb->save.rip = (uint64_t)code;
    vmcb->save.dr6 = 0xffff0ff0;
    vmcb->save.dr7 = 0x400;
    vmcb->save.g_pat = 0x0007040600070406ull;
    flat(&vmcb->save.cs, 0x08, 0x0c9b);
    flat(&vmcb->save.ds, 0x10, 0x0c93);
    vmcb->save.es = vmcb->save.ss = vmcb->save.fs = vmcb->save.gs = vmcb->save.ds;
    vmcb->save.tr = (struct vmcb_seg){ .attrib = 0x008b, .limit = 0xffff };

    for (int tries = 0; tries < 8; tries++) {            /* an interrupt may cut in */
        __asm__ volatile("clgi" ::: "memory");
        svm_vmrun(gpr, pages, this_pcpu()->host_vmcb_pa);
        __asm__ volatile("stgi" ::: "memory");
        vmcb->control.tlb_control = SVM_TLB_CONTROL_NONE;
        if ((uint32_t)vmcb->control.exitcode == SVM_EXIT_INTR ||
            (uint32_t)vmcb->control.exitcode == SVM_EXIT_NMI)
            continue;
        if ((uint32_t)vmcb->control.exitcode == SVM_EXIT_VMMCALL) {
            bool kept = (gpr[GPR_RBX] & DR7_KEPT_BITS) ||
                        ((uint32_t)gpr[GPR_RCX] & DR6_READS_ONE) != DR6_READS_ONE;
            r = kept ? DR_PROBE_KEPT : DR_PROBE_MASKED;
        }
        break;
    }
    /* What the probe left in ASID 1's TLB must not reach the vCPU that gets ASID 1 next. */
    __asm__ volatile("invlpga" :: "a"((uint64_t)code), "c"(PROBE_ASID) : "memory");
    palloc_free(pages, 2);
    return r;
}

void svm_dr_probe(enum dr_write_exits_option option)
{
    probed = run_probe();
    forced = option != DR_WRITE_EXITS_AUTO;
    writes_exit = forced ? option == DR_WRITE_EXITS_ON : probed != DR_PROBE_MASKED;
    printk("debug registers: the platform %s reserved DR6/DR7 bits%s; untrapped DR4-7 writes %s%s\n",
           probed == DR_PROBE_KEPT ? "keeps" : probed == DR_PROBE_MASKED ? "masks" : "(probe failed) may keep",
           probed == DR_PROBE_KEPT ? " as written (QEMU TCG)" : "",
           writes_exit ? "exit" : "do not exit", forced ? " (dr_write_exits= boot option)" : "");
}

bool svm_dr_writes_exit(void) { return writes_exit; }

uint32_t dbg_arch_platform_caps(void)
{
    return (probed == DR_PROBE_KEPT ? DBGV_CAP_DR_RESERVED_KEPT : 0) |
           (writes_exit ? DBGV_CAP_DR_WRITE_EXITS : 0);
}
enum dr_probe_result svm_dr_probe_result(void) { return probed; }
