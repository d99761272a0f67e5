/*
 * The hypervisor's IDT. Interrupts go to registered handlers; any exception
 * taken in the hypervisor itself is a bug: dump registers and a backtrace,
 * then end the machine so the launcher reports a hypervisor fault.
 */
#include <asm/apic.h>
#include <asm/traps.h>
#include <asm/x86.h>
#include <dbgvisor/console.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/shutdown.h>

struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, rsvd;
} __attribute__((packed));

extern char trap_stubs[];
extern char __hv_start[], __hv_end[];
static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler_t irq_handlers[256];

static const char *const exception_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
    "#SS", "#GP", "#PF", "?15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void traps_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t addr = (uint64_t)(trap_stubs + v * 16);
        idt[v] = (struct idt_entry){
            .off_lo = addr & 0xffff, .sel = 0x08, .ist = 0, .type = 0x8E,
            .off_mid = (addr >> 16) & 0xffff, .off_hi = addr >> 32,
        };
    }
}

void traps_load(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(p));
}

void set_irq_handler(uint8_t vector, irq_handler_t fn) { irq_handlers[vector] = fn; }

void dump_backtrace(uint64_t rbp)
{
    pr_err("backtrace:\n");
    for (int depth = 0; depth < 16 && rbp; depth++) {
        /* Only follow frames that lie inside the hypervisor's identity-mapped RAM. */
        if (rbp < (uint64_t)__hv_start || rbp >= 0x100000000ull || (rbp & 7))
            break;
        uint64_t *frame = (uint64_t *)rbp;
        pr_err("  [%2d] %016llx\n", depth, (unsigned long long)frame[1]);
        rbp = frame[0];
    }
}

static void dump_regs(const struct cpu_regs *r)
{
    pr_err("RIP %016llx RFLAGS %08llx CS %04llx error %llx CR2 %016llx\n",
           (unsigned long long)r->rip, (unsigned long long)r->rflags, (unsigned long long)r->cs,
           (unsigned long long)r->error_code, (unsigned long long)read_cr2());
    pr_err("RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)r->rax,
           (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
    pr_err("RSI %016llx RDI %016llx RBP %016llx RSP %016llx\n", (unsigned long long)r->rsi,
           (unsigned long long)r->rdi, (unsigned long long)r->rbp, (unsigned long long)r->rsp);
    pr_err("R8  %016llx R9  %016llx R10 %016llx R11 %016llx\n", (unsigned long long)r->r8,
           (unsigned long long)r->r9, (unsigned long long)r->r10, (unsigned long long)r->r11);
    pr_err("R12 %016llx R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)r->r12,
           (unsigned long long)r->r13, (unsigned long long)r->r14, (unsigned long long)r->r15);
}

void do_trap(struct cpu_regs *regs)
{
    uint64_t v = regs->vector;

    if (v >= 32) {
        if (irq_handlers[v])
            irq_handlers[v](regs);
        if (v != VECTOR_SPURIOUS)
            lapic_eoi();
        return;
    }
    pr_err("hypervisor fault: exception %s (vector %llu) on pCPU %u\n",
           exception_names[v] ? exception_names[v] : "?", (unsigned long long)v, this_cpu_id());
    dump_regs(regs);
    dump_backtrace(regs->rbp);
    machine_exit(HV_EXIT_FAULT);
}

void hv_panic(const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pr_err("hypervisor panic on pCPU %u: %s\n", this_cpu_id(), msg);
    dump_backtrace((uint64_t)__builtin_frame_address(0));
    machine_exit(HV_EXIT_FAULT);
}
