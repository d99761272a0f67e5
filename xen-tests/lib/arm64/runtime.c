/* C entry, PL011 console, exit and exception dispatch of the arm64 guest library. */
#include "guest.h"

#define PL011_BASE  0x09000000UL
#define PL011_DR    0x00
#define PL011_FR    0x18
#define FR_RXFE     (1U << 4)
#define FR_TXFF     (1U << 5)

const void *boot_dtb;
static trap_handler_fn handlers[64];
static trap_handler_fn irq_handler;

void putchar_serial(char c)
{
    volatile uint32_t *base = (volatile uint32_t *)PL011_BASE;

    while (base[PL011_FR / 4] & FR_TXFF)
        ;
    base[PL011_DR / 4] = (uint8_t)c;
}

int getchar_serial(void)
{
    volatile uint32_t *base = (volatile uint32_t *)PL011_BASE;

    return (base[PL011_FR / 4] & FR_RXFE) ? -1 : (int)(base[PL011_DR / 4] & 0xff);
}

int printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (const char *p = buf; *p; p++) {
        if (*p == '\n')
            putchar_serial('\r');
        putchar_serial(*p);
    }
    return n;
}

uint64_t hvc_call(uint64_t fn, uint64_t arg)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = arg;

    __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1) : : "x2", "x3", "memory");
    return x0;
}

noreturn void guest_exit(uint32_t code)
{
    hvc_call(DBGV_HVC_EXIT, code);      /* returns only where it is unknown */
    hvc_call(PSCI_SYSTEM_OFF, 0);
    for (;;)
        __asm__ volatile("wfi");
}

void set_trap_handler(unsigned ec, trap_handler_fn fn)
{
    if (ec < ARRAY_SIZE(handlers))
        handlers[ec] = fn;
}

void set_irq_handler(trap_handler_fn fn)
{
    irq_handler = fn;
}

/* vector: 0-15 in VBAR_EL1 order; its low two bits are the kind (sync, IRQ,
 * FIQ, SError). ESR_EL1 means something for synchronous exceptions only. */
void trap_entry(struct trap_frame *f, unsigned vector)
{
    trap_handler_fn fn = (vector & 3) == 1 ? irq_handler
                       : (vector & 3) == 0 ? handlers[ESR_EC(f->esr)] : NULL;

    if (fn) {
        fn(f);
        return;
    }
    if ((vector & 3) != 0) {
        printf("unexpected %s at ELR %#lx\n", (vector & 3) == 1 ? "IRQ" : (vector & 3) == 2 ? "FIQ" : "SError",
               (unsigned long)f->elr);
        guest_exit(3);
    }
    printf("unexpected exception: ESR %#lx ELR %#lx FAR %#lx SPSR %#lx\n",
           (unsigned long)f->esr, (unsigned long)f->elr, (unsigned long)f->far,
           (unsigned long)f->spsr);
    guest_exit(3);
}

void wfit(uint64_t vcount)
{
    __asm__ volatile(".arch armv8.7-a\n\twfit %0" : : "r"(vcount) : "memory");
}

void sleep_ms(unsigned ms)
{
    uint64_t until = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 1000 * ms;

    while (read_sysreg(cntvct_el0) < until)
        wfit(until);
}

void spin_ms(unsigned ms)
{
    uint64_t until = read_sysreg(cntpct_el0) + read_sysreg(cntfrq_el0) / 1000 * ms;

    while (read_sysreg(cntpct_el0) < until)
        ;
}

void guest_start(void)
{
    guest_exit((uint32_t)main());
}
