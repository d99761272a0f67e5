/*
 * platform: the PC platform as third-party test kernels use it (see
 * docs/third-party-guests.md), run natively and under the hypervisor with
 * the records compared line for line (xen-tests/integration/test_platform.sh).
 *
 * It touches each interface the way such kernels' boot libraries do:
 *  - multiboot info: flags, mem_lower/mem_upper, modules, the memory map,
 *    the command line with the kernel's path as its first word;
 *  - fw_cfg: signature, interface id, RAM size, CPU counts, unknown keys and
 *    reads past an item's end, which access widths select and read;
 *  - the 16550: the divisor latch behind LCR.DLAB (its bytes are not
 *    characters), IER/IIR/FCR/LCR/MCR/LSR/MSR/SCR as they read back;
 *  - string port I/O: REP OUTSB to the UART, REP INSB from fw_cfg;
 *  - the exit port: what a read returns;
 *  - the xAPIC: version, LDR/DFR reset values, TPR/PPR/ISR/IRR/TMR while a
 *    vector is in service, CR8 as TPR[7:4], IPIs with every destination shorthand, logical
 *    flat destinations, physical broadcast, and the AP brought up by INIT
 *    and SIPI sent to "all excluding self" (an INIT level de-assert after
 *    that leaves it running).
 * Run it with 2 CPUs and 64 MiB.
 */
#include "guest.h"

#define COM1 0x3F8
#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511

#define APIC_VER   0x030
#define APIC_TPR   0x080
#define APIC_PPR   0x0A0
#define APIC_LDR   0x0D0
#define APIC_DFR   0x0E0
#define APIC_ISR   0x100
#define APIC_TMR   0x180
#define APIC_IRR   0x200

#define ICR_FIXED      0x4000u        /* fixed, level assert */
#define ICR_LOGICAL    (1u << 11)
#define ICR_SELF       (1u << 18)
#define ICR_ALL        (2u << 18)
#define ICR_ALL_BUT    (3u << 18)

#define VEC_PPR   0x51
#define VEC_CR8   0x52
#define VEC_BASE  0x60                /* 0x60-0x64: one vector per IPI kind */
#define NVEC      5
static const char *const vec_name[NVEC] = {
    "self", "all-including-self", "all-excluding-self", "logical-to-cpu1", "physical-broadcast",
};

static volatile unsigned long hits[2][NVEC];
static volatile bool ap_ready;
static volatile uint32_t ppr_in_service, isr_bit, tpr_seen, ppr_high_tpr, ppr_restored;

static inline uint16_t inw(uint16_t p) { uint16_t v; asm volatile("inw %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; asm volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }

static bool vec_bit(uint32_t base, int vec)
{
    return apic_read(base + (vec / 32) * 0x10) & BIT(vec % 32);
}

/* ---- multiboot ---- */
static void check_multiboot(void)
{
    struct mb_info *m = mb_info;
    unsigned n = 0, ram = 0;
    uint64_t top_below_4g = 0;

    printf("mb: mem=%d cmdline=%d mods=%d mmap=%d\n", !!(m->flags & BIT(0)),
           !!(m->flags & BIT(2)), !!(m->flags & BIT(3)), !!(m->flags & BIT(6)));
    /* Firmware may keep a little of each range (an EBDA, its tables). */
    printf("mb: mem_lower within 640 KiB and above 600 KiB: %d, mods_count=%u\n",
           m->mem_lower <= 640 && m->mem_lower > 600, m->mods_count);
    /* GRUB and QEMU pass the kernel's path as the first word (argv[0]). */
    const char *c = cmdline(), *w = c;
    while (*w && *w != ' ')
        w++;
    report(w - c > 12 && !strncmp(w - 12, "platform.elf", 12),
           "the command line starts with the kernel's path");
    if (!(m->flags & BIT(6)))
        return;
    for (uint32_t off = 0; off < m->mmap_length; n++) {
        const struct mb_mmap_entry *e = (const void *)(unsigned long)(m->mmap_addr + off);
        if (e->type == 1) {
            ram++;
            if (e->base <= 0x100000 && e->base + e->length > 0x100000)
                top_below_4g = e->base + e->length;
        }
        off += e->size + 4;
    }
    report(n > 0 && ram > 0, "the memory map lists RAM");
    report(top_below_4g >= 0x100000ull + m->mem_upper * 1024ull - 0x100000,
           "the RAM entry at 1 MiB reaches mem_upper (within 1 MiB)");
    report(top_below_4g <= 0x100000ull + m->mem_upper * 1024ull,
           "the RAM entry at 1 MiB ends at or below mem_upper");
}

/* ---- fw_cfg ---- */
static uint64_t fwcfg_read(uint16_t key, int bytes)
{
    uint64_t v = 0;
    outw(FW_CFG_SEL, key);
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)inb(FW_CFG_DATA) << (8 * i);
    return v;
}

static void check_fw_cfg(void)
{
    uint64_t sig = fwcfg_read(0x00, 4);
    char s[5] = { (char)sig, (char)(sig >> 8), (char)(sig >> 16), (char)(sig >> 24), 0 };

    printf("fw_cfg: signature=%s traditional-interface=%d\n", s, (int)(fwcfg_read(0x01, 4) & 1));
    printf("fw_cfg: ram_size=%#llx nb_cpus=%u max_cpus=%u\n",
           (unsigned long long)fwcfg_read(0x03, 8), (unsigned)fwcfg_read(0x05, 2),
           (unsigned)fwcfg_read(0x0f, 2));
    uint64_t ram = fwcfg_read(0x03, 8), upper = 0x100000ull + mb_info->mem_upper * 1024ull;
    report(ram >= upper && ram - upper < 0x100000, "fw_cfg RAM size is multiboot's top of RAM (within 1 MiB)");
    printf("fw_cfg: nb_cpus as 4 bytes=%#llx unknown key=%#llx\n",
           (unsigned long long)fwcfg_read(0x05, 4), (unsigned long long)fwcfg_read(0x7777, 4));
    /* Which widths select and read: only a 16-bit write selects. */
    fwcfg_read(0x00, 0);
    outb(FW_CFG_SEL, 0x05);
    printf("fw_cfg: after a byte write of 5 to the selector, data reads %#x\n", inb(FW_CFG_DATA));
    fwcfg_read(0x00, 0);
    uint8_t sel_read = inb(FW_CFG_SEL);
    printf("fw_cfg: byte read of the selector port=%#x, then data=%#x\n", sel_read, inb(FW_CFG_DATA));
    fwcfg_read(0x00, 0);
    printf("fw_cfg: word read of the data port=%#x\n", inw(FW_CFG_DATA));
}

/* ---- 16550 ---- */
static void check_uart(void)
{
    uint8_t lcr = inb(COM1 + 3), dll, dlm;

    outb(COM1 + 3, lcr | 0x80);                 /* DLAB: 0/1 are the divisor latch */
    outb(COM1 + 0, 'X');                        /* a divisor, not a character */
    outb(COM1 + 1, 0x00);
    dll = inb(COM1 + 0);
    dlm = inb(COM1 + 1);
    uint8_t lcr_dlab = inb(COM1 + 3);
    outb(COM1 + 0, 0x01);                       /* 115200 baud, as boot code sets */
    outb(COM1 + 3, 0x03);                       /* 8N1, DLAB off: printing works again */
    printf("uart: lcr=%#x with DLAB=%#x divisor=%#x\n", lcr, lcr_dlab, dll | dlm << 8);
    printf("uart: lcr=%#x ier=%#x iir=%#x lsr=%#x msr=%#x\n",
           inb(COM1 + 3), inb(COM1 + 1), inb(COM1 + 2), inb(COM1 + 5), inb(COM1 + 6));
    outb(COM1 + 7, 0xa5);
    outb(COM1 + 4, 0x0b);
    printf("uart: scr=%#x mcr=%#x\n", inb(COM1 + 7), inb(COM1 + 4));
    outb(COM1 + 2, 0x07);                       /* FIFOs on, both cleared */
    printf("uart: iir with FIFOs=%#x\n", inb(COM1 + 2));
    outb(COM1 + 1, 0x02);                       /* THR-empty interrupt: pending at once */
    uint8_t iir1 = inb(COM1 + 2), iir2 = inb(COM1 + 2);
    printf("uart: ier=%#x iir=%#x then %#x\n", inb(COM1 + 1), iir1, iir2);
    outb(COM1 + 1, 0x00);
    outb(COM1 + 2, 0x00);
    outb(COM1 + 4, 0x03);
    printf("uart: iir without FIFOs=%#x rbr=%#x\n", inb(COM1 + 2), inb(COM1 + 0));
}

/* ---- string port I/O, as some kernels print and read firmware data ---- */
static void check_string_io(void)
{
    static const char line[] = "uart: this line came through rep outsb\n";
    char sig[5] = { 0 };
    const char *src = line;
    char *dst = sig;
    unsigned long n = sizeof(line) - 1;

    asm volatile("cld; rep outsb" : "+S"(src), "+c"(n) : "d"(COM1) : "memory");
    outw(FW_CFG_SEL, 0x00);
    n = 4;
    asm volatile("cld; rep insb" : "+D"(dst), "+c"(n) : "d"(FW_CFG_DATA) : "memory");
    printf("fw_cfg: signature through rep insb=%s, rcx after=%lu, rdi advanced by %ld\n",
           sig, n, (long)(dst - sig));
    src = "!\n";
    asm volatile("outsb; outsb" : "+S"(src) : "d"(COM1) : "memory");
}

/* ---- the exit port ---- */
static void check_exit_port(void)
{
    uint8_t b = inb(0xF4);
    printf("exit port: byte read=%#x dword read=%#x\n", b, inl(0xF4));
    b = inb(0x1234);
    uint16_t w = inw(0x1234);
    printf("unassigned port 0x1234: byte=%#x word=%#x dword=%#x\n", b, w, inl(0x1234));
}

/* ---- xAPIC ---- */
static void ipi_handler(struct trap_frame *f)
{
    unsigned cpu = apic_id();
    if (cpu < 2)
        hits[cpu][f->vector - VEC_BASE]++;
    apic_eoi();
}

static void ppr_handler(struct trap_frame *f)
{
    ppr_in_service = apic_read(APIC_PPR);
    isr_bit = vec_bit(APIC_ISR, VEC_PPR);
    tpr_seen = apic_read(APIC_TPR);
    apic_write(APIC_TPR, 0x80);
    ppr_high_tpr = apic_read(APIC_PPR);
    apic_write(APIC_TPR, 0x20);
    ppr_restored = apic_read(APIC_PPR);
    apic_eoi();
}

/* In 64-bit mode CR8 is TPR[7:4]: the same register, with the same effect. */
static volatile unsigned long cr8_hits;
static void cr8_handler(struct trap_frame *f)
{
    cr8_hits++;
    apic_eoi();
}

static void check_cr8(void)
{
#ifdef __x86_64__
    unsigned long cr8;

    trap_set_handler(VEC_CR8, cr8_handler);
    asm volatile("mov %0, %%cr8" :: "r"(3ul) : "memory");
    printf("apic: after CR8=3: tpr=%#x\n", apic_read(APIC_TPR));
    apic_write(APIC_TPR, 0x5c);
    asm volatile("mov %%cr8, %0" : "=r"(cr8));
    printf("apic: after TPR=0x5c: cr8=%#lx\n", cr8);
    asm volatile("mov %0, %%cr8" :: "r"(6ul) : "memory");
    apic_send_ipi(0, ICR_FIXED | ICR_SELF | VEC_CR8);
    sti();
    for (int i = 0; i < 1000; i++)
        pause();
    cli();
    printf("apic: vector %#x with CR8=6: delivered %lu times\n", VEC_CR8, cr8_hits);
    /* Lowering CR8 releases it at once. The vector is now deliverable while
     * IF=0: a hypervisor asks for the interrupt window, and a CR8 write in
     * that state must still be an ordinary CR8 write. */
    asm volatile("mov %0, %%cr8" :: "r"(0ul) : "memory");
    outb(0x80, 0);                              /* any exit */
    asm volatile("mov %0, %%cr8" :: "r"(1ul) : "memory");
    sti();
    asm volatile("nop" ::: "memory");
    cli();
    printf("apic: after CR8=0 then 1 with IF=0, one STI later: delivered %lu times\n", cr8_hits);
    asm volatile("mov %0, %%cr8" :: "r"(0ul) : "memory");
#endif
}

static void ap_main(unsigned int cpu)
{
    apic_write(APIC_LDR, 2u << 24);             /* flat logical id bit 1 */
    __atomic_store_n(&ap_ready, true, __ATOMIC_RELEASE);
    for (;;)
        asm volatile("sti; hlt" ::: "memory");
}

static bool wait_hits(int cpu, int v, unsigned long want)
{
    for (unsigned long i = 0; i < 50000000ul; i++) {
        if (hits[cpu][v] >= want)
            return true;
        pause();
    }
    return false;
}

static void send(uint32_t dest, uint32_t icr)
{
    apic_send_ipi(dest, icr);
    printf("apic: ICR delivery status after sending=%d\n", !!(apic_read(APIC_ICR) & BIT(12)));
}

static void check_apic(void)
{
    uint32_t tmr = 0;

    printf("apic: version=%#x ldr=%#x dfr=%#x\n", apic_read(APIC_VER), apic_read(APIC_LDR),
           apic_read(APIC_DFR));
    report(cpuid(1, 0).b >> 24 == apic_id(), "CPUID.1 EBX[31:24] is the APIC ID");

    /* TPR, PPR, IRR and ISR around one vector in service. */
    trap_set_handler(VEC_PPR, ppr_handler);
    apic_write(APIC_TPR, 0x2f);
    printf("apic: tpr=%#x ppr=%#x with nothing in service\n", apic_read(APIC_TPR), apic_read(APIC_PPR));
    apic_write(APIC_TPR, 0x20);
    cli();
    apic_send_ipi(0, ICR_FIXED | ICR_SELF | VEC_PPR);
    printf("apic: irr bit while IF=0: %d\n", vec_bit(APIC_IRR, VEC_PPR));
    for (int i = 0; i < 8; i++)
        tmr |= apic_read(APIC_TMR + i * 0x10);
    printf("apic: tmr of edge-triggered vectors=%#x\n", tmr);
    sti();
    asm volatile("nop" ::: "memory");
    cli();
    printf("apic: in service: isr bit=%u tpr=%#x ppr=%#x; tpr 0x80: ppr=%#x; back: ppr=%#x\n",
           isr_bit, tpr_seen, ppr_in_service, ppr_high_tpr, ppr_restored);
    printf("apic: after EOI: isr bit=%d irr bit=%d ppr=%#x\n", vec_bit(APIC_ISR, VEC_PPR),
           vec_bit(APIC_IRR, VEC_PPR), apic_read(APIC_PPR));
    apic_write(APIC_TPR, 0);
    check_cr8();

    /* IPIs: the AP comes up by INIT+SIPI to "all excluding self". */
    for (int v = 0; v < NVEC; v++)
        trap_set_handler(VEC_BASE + v, ipi_handler);
    apic_write(APIC_DFR, 0xffffffff);
    apic_write(APIC_LDR, 1u << 24);
    report(smp_start_others(ap_main) == 0, "the AP started by INIT/SIPI to all-excluding-self");
    while (!__atomic_load_n(&ap_ready, __ATOMIC_ACQUIRE))
        pause();
    /* An INIT level de-assert (level-triggered, level 0), as the MP start-up
     * sequence sends, resets nobody: the AP must still take the IPIs below. */
    apic_send_ipi(0, 0x8500 | ICR_ALL_BUT);
    sti();
    send(0, ICR_FIXED | ICR_SELF | (VEC_BASE + 0));
    send(0, ICR_FIXED | ICR_ALL | (VEC_BASE + 1));
    send(0, ICR_FIXED | ICR_ALL_BUT | (VEC_BASE + 2));
    send(2, ICR_FIXED | ICR_LOGICAL | (VEC_BASE + 3));
    send(0xff, ICR_FIXED | (VEC_BASE + 4));
    static const unsigned long want[2][NVEC] = { { 1, 1, 0, 0, 1 }, { 0, 1, 1, 1, 1 } };
    for (int cpu = 0; cpu < 2; cpu++)
        for (int v = 0; v < NVEC; v++)
            if (want[cpu][v])
                wait_hits(cpu, v, want[cpu][v]);
    sleep_ticks(2000000);                         /* time for stray deliveries */
    for (int v = 0; v < NVEC; v++) {
        report(hits[0][v] == want[0][v] && hits[1][v] == want[1][v],
               "IPI %s: cpu0 got %lu (want %lu), cpu1 got %lu (want %lu)", vec_name[v],
               hits[0][v], want[0][v], hits[1][v], want[1][v]);
    }
    cli();
}

int main(void)
{
    check_multiboot();
    check_fw_cfg();
    check_uart();
    check_string_io();
    check_exit_port();
    check_apic();
    return report_summary();
}
