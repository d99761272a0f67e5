/*
 * Boot: console, memory, traps, time, SVM on every pCPU, the boot-time
 * domains from multiboot modules, then each pCPU enters the scheduler.
 */
#include <asm/apic.h>
#include <asm/svm_dr_probe.h>
#include <asm/svm_vcpu.h>
#include <asm/traps.h>
#include <asm/uart.h>
#include <asm/x86.h>
#include <dbgvisor/boot_domains.h>
#include <dbgvisor/console.h>
#include <dbgvisor/control_channel.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/multiboot.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/percpu.h>
#include <dbgvisor/sched.h>
#include <dbgvisor/shutdown.h>
#include <dbgvisor/time.h>
#define AP_TRAMPOLINE_PA 0x8000   /* must match boot/boot_defs.h */

#define DBGVISOR_VERSION "0.1"
#define AP_STACK_PAGES 4

struct pcpu pcpus[MAX_PCPUS];
unsigned nr_pcpus = 1;
extern char __hv_start[], __hv_end[];
extern char ap_trampoline_start[], ap_trampoline_end[];
extern volatile uint64_t ap_boot_stack, ap_boot_cpu;

void machine_exit(enum hv_exit_code code)
{
    irq_disable();
    outl(0xf4, (uint32_t)code);        /* QEMU isa-debug-exit: ends the emulator */
    for (;;)
        halt();
}

/* Hypervisor command line: "loglvl=debug exit=auto". */
struct boot_options {
    bool exit_when_done;
    bool selftest_fault;     /* prove the fault path: dump, backtrace, exit code 3 */
    enum log_level loglvl;
    enum dr_write_exits_option dr_write_exits;
};

static void parse_cmdline(const char *cmd, struct boot_options *o)
{
    o->exit_when_done = false;
    o->selftest_fault = false;
    o->loglvl = LOG_INFO;
    o->dr_write_exits = DR_WRITE_EXITS_AUTO;
    for (const char *p = cmd; p && *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 9 && !strncmp(p, "exit=auto", 9))
            o->exit_when_done = true;
        else if (len == 14 && !strncmp(p, "selftest=fault", 14))
            o->selftest_fault = true;
        else if (len == 12 && !strncmp(p, "loglvl=debug", 12))
            o->loglvl = LOG_DEBUG;
        else if (len == 11 && !strncmp(p, "loglvl=warn", 11))
            o->loglvl = LOG_WARN;
        else if (len == 17 && !strncmp(p, "dr_write_exits=on", 17))
            o->dr_write_exits = DR_WRITE_EXITS_ON;
        else if (len == 18 && !strncmp(p, "dr_write_exits=off", 18))
            o->dr_write_exits = DR_WRITE_EXITS_OFF;
        p += len;
    }
}

static void memory_init(const struct multiboot_info *mbi)
{
    palloc_init();
    if (mbi->flags & MBI_FLAG_MMAP) {
        uint64_t at = mbi->mmap_addr;
        while (at < (uint64_t)mbi->mmap_addr + mbi->mmap_length) {
            const struct multiboot_mmap_entry *e = (const void *)at;
            if (e->type == 1)
                palloc_add_free(e->addr, e->addr + e->len);
            at += e->size + 4;
        }
    } else {
        palloc_add_free(0x100000, 0x100000 + (uint64_t)mbi->mem_upper * 1024);
    }
    /* Low memory (AP trampoline, BIOS data), the image, the modules. */
    palloc_reserve(0, 0x100000);
    palloc_reserve((uint64_t)__hv_start, (uint64_t)__hv_end);
    /* Everything the loader handed over must survive until the domains are built. */
    palloc_reserve((uint64_t)mbi, (uint64_t)mbi + sizeof(*mbi));
    if (mbi->flags & MBI_FLAG_CMDLINE)
        palloc_reserve(mbi->cmdline, mbi->cmdline + strlen((const char *)(uint64_t)mbi->cmdline) + 1);
    if (mbi->flags & MBI_FLAG_MODS) {
        const struct multiboot_module *m = (const void *)(uint64_t)mbi->mods_addr;
        palloc_reserve(mbi->mods_addr, mbi->mods_addr + mbi->mods_count * sizeof(*m));
        for (uint32_t i = 0; i < mbi->mods_count; i++) {
            palloc_reserve(m[i].mod_start, m[i].mod_end);
            if (m[i].string)
                palloc_reserve(m[i].string, m[i].string + strlen((const char *)(uint64_t)m[i].string) + 1);
        }
    }
    printk("memory: %zu MiB free for domains\n", palloc_free_pages() / 256);
}

/* The number of CPUs from QEMU's fw_cfg (key 5), 1 when absent. */
static unsigned fw_cfg_cpu_count(void)
{
    outw(0x510, 0x0000);
    if (inb(0x511) != 'Q')
        return 1;
    outw(0x510, 0x0005);
    unsigned n = inb(0x511);
    n |= (unsigned)inb(0x511) << 8;
    return n ? MIN(n, (unsigned)MAX_PCPUS) : 1;
}

static void cpu_online(struct pcpu *p)
{
    traps_load();
    lapic_init();
    if (!svm_cpu_init())
        hv_panic("pCPU %u: AMD SVM with nested paging is not available", p->id);
    __atomic_store_n(&p->online, true, __ATOMIC_RELEASE);
}

void start_secondary(uint64_t cpu)
{
    pcpu_set_current(&pcpus[cpu]);
    cpu_online(&pcpus[cpu]);
    sched_run();
}

static void start_aps(unsigned count)
{
    memcpy((void *)AP_TRAMPOLINE_PA, ap_trampoline_start, ap_trampoline_end - ap_trampoline_start);
    for (unsigned i = 1; i < count; i++) {
        struct pcpu *p = &pcpus[i];
        uint64_t stack = palloc_alloc(AP_STACK_PAGES, 1);
        if (!stack)
            hv_panic("no memory for the stack of pCPU %u", i);
        p->id = i;
        p->apic_id = i;               /* QEMU numbers APIC IDs 0..n-1 */
        p->stack_top = stack + AP_STACK_PAGES * PAGE_SIZE;
        nr_pcpus = i + 1;
        ap_boot_cpu = i;
        ap_boot_stack = p->stack_top;
        lapic_send_init(p->apic_id);
        udelay(10000);
        lapic_send_sipi(p->apic_id, AP_TRAMPOLINE_PA >> 12);
        udelay(200);
        if (!__atomic_load_n(&p->online, __ATOMIC_ACQUIRE))
            lapic_send_sipi(p->apic_id, AP_TRAMPOLINE_PA >> 12);
        uint64_t deadline = now_ns() + 1000000000ull;
        while (!__atomic_load_n(&p->online, __ATOMIC_ACQUIRE) && now_ns() < deadline)
            cpu_relax();
        if (!p->online)
            hv_panic("pCPU %u did not come up", i);
    }
}

void start_hypervisor(uint32_t magic, uint32_t mbi_pa)
{
    const struct multiboot_info *mbi = (const void *)(uint64_t)mbi_pa;
    struct boot_options opts;

    pcpu_set_current(&pcpus[0]);
    uart_init(UART_COM1);
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        hv_panic("not started by a multiboot loader (magic %#x)", magic);
    parse_cmdline((mbi->flags & MBI_FLAG_CMDLINE) ? (const char *)(uint64_t)mbi->cmdline : "", &opts);
    console_set_level(opts.loglvl);
    printk("dbgvisor %s starting\n", DBGVISOR_VERSION);
    pr_debug("multiboot info at %#x, flags %#x, %u modules at %#x\n", mbi_pa, mbi->flags,
             mbi->mods_count, mbi->mods_addr);

    /* The firmware left the 8259 routing the PIT to vector 8: we use the local APIC only. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    pcpus[0].id = 0;
    pcpus[0].apic_id = 0;
    traps_init();
    traps_load();
    memory_init(mbi);
    time_init();
    pcpus[0].apic_id = lapic_id();
    printk("TSC: %llu kHz\n", (unsigned long long)tsc_khz());
    sched_init(opts.exit_when_done);
    cpu_online(&pcpus[0]);
    svm_dr_probe(opts.dr_write_exits);
    unsigned want = fw_cfg_cpu_count();
    start_aps(want);
    printk("%u pCPU%s online, SVM with nested paging\n", nr_pcpus, nr_pcpus > 1 ? "s" : "");
    control_channel_init();
    boot_domains_create(mbi);
    if (opts.selftest_fault) {
        printk("selftest: touching a non-canonical address\n");
        *(volatile uint64_t *)0x8000000000000000ull = 1;
    }
    sched_run();
}
