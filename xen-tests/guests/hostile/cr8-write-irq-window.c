/*
 * hostile: policies=trap native=compare
 *
 * cr8-write-irq-window: a MOV to CR8 while the hypervisor waits for the
 * guest's interrupt window must stay an ordinary TPR write. With IF=0 and a
 * self-IPI pending, the hypervisor requests a virtual interrupt (V_IRQ) to
 * learn when IF opens; QEMU 10 TCG aborted the whole machine when the guest
 * then wrote CR8 (an assertion in its interrupt path), taking every domain
 * with it. Hardware: CR8 is TPR[7:4]; with CR8 below the vector's class the
 * interrupt is taken right after STI's shadow, with CR8 at or above it
 * never. The guest does this in a loop so the window request is certainly
 * live at some write.
 */
#include "guest.h"

#define VEC 0x52
#define ROUNDS 50
static volatile unsigned long hits;

static void handler(struct trap_frame *f)
{
    hits++;
    apic_eoi();
}

static void write_cr8(unsigned long v) { asm volatile("mov %0, %%cr8" :: "r"(v) : "memory"); }

int main(void)
{
    unsigned long held = 0, taken = 0;

    trap_set_handler(VEC, handler);
    for (int i = 0; i < ROUNDS; i++) {
        unsigned long before = hits;
        cli();
        apic_send_ipi(0, 0x4000 | (1u << 18) | VEC);   /* self, fixed */
        outb(0x80, 0);                                  /* an exit while it is pending */
        write_cr8(i & 1 ? 5 : 1);                       /* class 5 holds vector 0x52 back */
        sti();
        asm volatile("nop" ::: "memory");
        cli();
        if (i & 1) {
            held += hits == before;
            write_cr8(0);
            sti();
            asm volatile("nop" ::: "memory");
            cli();
        }
        taken += hits == before + 1;
    }
    report(held == ROUNDS / 2, "CR8=5 held vector 0x52 back every time (%lu/%d)", held, ROUNDS / 2);
    report(taken == ROUNDS, "each IPI was taken exactly once after CR8 allowed it (%lu/%d)", taken, ROUNDS);
    return report_summary();
}
