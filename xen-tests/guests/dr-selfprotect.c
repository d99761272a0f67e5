/* dr-selfprotect: a guest that points watchpoints at its own #DB machinery
 * (the XSA-156 family), then raises a #DB with ICEBP. The handler clears
 * DR7 on first entry so the guest ends; the record shows how #DBs nested.
 *   (default)   watch the stack slot the #DB stub writes first (its dummy
 *               error code): the stub itself raises a nested #DB.
 *   delivery=1  watch the slot the CPU writes while delivering #DB (SS of
 *               the frame): the delivery raises the nested #DB. XSA-156.
 *               QEMU 10 TCG mishandles this natively (see README.md).
 *   idt=1       also watch the #DB IDT entry (read/write).
 *   ist=1       with delivery=1: deliver #DB on an IST stack and watch that;
 *               every delivery hits the same slot again, so the CPU loops
 *               forever without running the handler. Never ends on bare
 *               metal; the point is that a hypervisor stays alive. */
#include "guest.h"

asm(".text\n"
    ".globl selfprot_fire, selfprot_after\n"
    /* rdi = DR7 value, rsi = absolute slot to watch, or (if < 4096) its
     * distance below the 16-byte aligned RSP at the #DB */
    "selfprot_fire:\n"
    "  cmp $4096,%rsi\n"
    "  jae 1f\n"
    "  mov %rsp,%rax\n"
    "  and $~0xf,%rax\n"          /* the CPU aligns RSP before pushing */
    "  sub %rsi,%rax\n"
    "  mov %rax,%rsi\n"
    "1: mov %rsi,%dr1\n"
    "  mov %rdi,%dr7\n"
    "  .byte 0xf1\n"              /* ICEBP: #DB */
    "selfprot_after:\n"
    "  ret\n");
void selfprot_fire(unsigned long dr7, unsigned long slot);
extern char selfprot_after[], vector_stubs[];

static uint8_t ist_stack[4096] __attribute__((aligned(16)));

static void print_events(void)
{
    unsigned int n = db_count < DB_MAX_EVENTS ? db_count : DB_MAX_EVENTS;
    printf("selfprotect: %u #DB(s)\n", db_count);
    for (unsigned int i = 0; i < n; i++) {
        const struct db_event *e = &db_events[i];
        unsigned long stubs = (unsigned long)vector_stubs;
        bool in_stub = e->ip >= stubs && e->ip < stubs + 256 * 16;
        printf("selfprotect #%u: vec=%lu dr6=%#lx dr7=%#lx ip=%s+%#lx frame=%s%#lx\n", i,
               e->vector, e->dr6, e->dr7, in_stub ? "vector_stubs" : "selfprot_after",
               in_stub ? e->ip - stubs : e->ip - (unsigned long)selfprot_after,
               e->sp < db_events[0].sp ? "first-" : "first+",
               e->sp < db_events[0].sp ? db_events[0].sp - e->sp : e->sp - db_events[0].sp);
    }
}

int main(void)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr;
    bool watch_idt = cmdline_uint("idt", 0), ist = cmdline_uint("ist", 0);
    bool delivery = cmdline_uint("delivery", 0) || ist;
    /* Frame layout: SS at -8 ... RIP at -40 (CPU), error code at -48 (stub). */
    unsigned long slot = delivery ? 8 : 48;

    asm volatile("sidt %0" : "=m"(idtr));
    unsigned long entry = idtr.base + 16 * 1;
    db_install(DB_CLEAR_DR7);
    db_limit = 8;
    db_reset();
    write_dr6(0);
    write_dr(0, entry);
    if (ist) {
        unsigned long top = (unsigned long)(ist_stack + sizeof(ist_stack));
        tss_set_ist(1, top);
        trap_set_ist(1, 1);
        slot = top - 8;
    }
    printf("selfprotect: watching %s%s%s\n", delivery ? "the frame's SS slot" : "the stub's error-code slot",
           watch_idt ? " and the #DB IDT entry" : "", ist ? " on the IST stack" : "");
    unsigned long dr7 = 0x400 | DR7_L(1) | DR7_RW(1, DR_RW_WRITE) | DR7_LEN(1, DR_LEN_8);
    if (watch_idt)
        dr7 |= DR7_L(0) | DR7_RW(0, DR_RW_RW) | DR7_LEN(0, DR_LEN_8);
    selfprot_fire(dr7, slot);
    unsigned long dr7_after = read_dr7();
    write_dr6(0);
    print_events();
    printf("selfprotect: guest continued, dr7=%#lx\n", dr7_after);
    report(db_count >= 1 && db_events[db_count - 1].ip == (unsigned long)selfprot_after,
           "outermost #DB is the ICEBP, reported after it");
    report(dr7_after == 0x400, "handler disarmed DR7 and the guest continued");
    return report_summary();
}
