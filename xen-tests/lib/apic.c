/* xAPIC one-shot timer, EOI, IPIs; PIC masking; fw_cfg CPU count. */
#include "guest.h"

volatile unsigned long timer_ticks;

static void timer_handler(struct trap_frame *f)
{
    timer_ticks++;
    apic_eoi();
}

void apic_init(void)
{
    outb(0x21, 0xFF);                 /* mask both 8259s: only the APIC interrupts */
    outb(0xA1, 0xFF);
    apic_write(APIC_SPIV, 0x100 | SPURIOUS_VECTOR);
    trap_set_handler(TIMER_VECTOR, timer_handler);
}

void pic8259_init(uint8_t vector, bool auto_eoi, uint8_t master_mask)
{
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
    outb(0x20, 0x11);                 /* ICW1: edge, cascade, ICW4 */
    outb(0x21, vector);               /* ICW2 */
    outb(0x21, 0x04);                 /* ICW3: slave on IR2 */
    outb(0x21, auto_eoi ? 0x03 : 0x01);   /* ICW4: 8086 mode, auto-EOI or not */
    outb(0xA0, 0x11);
    outb(0xA1, vector + 8);
    outb(0xA1, 0x02);
    outb(0xA1, 0x01);
    outb(0x21, master_mask);
    outb(0xA1, 0xFF);
}

uint32_t apic_id(void)
{
    return apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

void apic_timer_oneshot(uint32_t count)
{
    apic_write(APIC_TDCR, 0xB);       /* divide by 1 */
    apic_write(APIC_LVTT, TIMER_VECTOR);  /* one-shot, unmasked */
    apic_write(APIC_TMICT, count);
}

void irq_settle(unsigned spins)
{
    sti();
    for (unsigned i = 0; i < spins; i++)
        pause();
    cli();
}

/* STI;HLT is atomic (STI shadow), so a timer that fires after the check
 * still wakes the HLT. Returns with interrupts disabled. */
void sleep_ticks(uint32_t count)
{
    unsigned long start = timer_ticks;
    cli();
    apic_timer_oneshot(count);
    while (timer_ticks == start)
        asm volatile("sti; hlt; cli" ::: "memory");
    shutdown_poll();
}

bool x2apic_ipis;

void apic_send_ipi(uint32_t dest, uint32_t icr_low)
{
    if (x2apic_ipis) {
        wrmsr(X2APIC_ICR, (uint64_t)dest << 32 | icr_low);
        return;
    }
    apic_write(APIC_ICR2, dest << 24);
    apic_write(APIC_ICR, icr_low);
}

uint16_t fwcfg_cpu_count(void)
{
    outw(0x510, 5);                   /* FW_CFG_NB_CPUS, little endian */
    uint16_t n = inb(0x511);
    n |= (uint16_t)inb(0x511) << 8;
    return n;
}
