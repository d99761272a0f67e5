/* dbgvisor test-guest library: freestanding helpers for multiboot v1 guests.
 *
 * Two flavours are built from the same sources: 32-bit (-m32, flat protected
 * mode, no paging) and 64-bit (entry switches to long mode with the first
 * 4 GiB identity mapped by 2 MiB pages). Guests only use what DESIGN.md §2
 * promises: UART 0x3F8, exit port 0xF4, fw_cfg 0x510, xAPIC, HLT+timer. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n)        (1UL << (n))
#define noreturn      __attribute__((noreturn))

/* ---- multiboot v1 info (the fields we use) ---- */
struct mb_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;   /* KiB below 1 MiB / above 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr; /* valid with flags bit 6 */
} __attribute__((packed));
/* One multiboot memory-map entry; `size` excludes itself. */
struct mb_mmap_entry {
    uint32_t size;
    uint64_t base, length;
    uint32_t type;                   /* 1 = RAM */
} __attribute__((packed));

extern struct mb_info *mb_info;      /* set by the entry code */
extern uint32_t mb_magic;            /* EAX at entry (0x2BADB002 from a multiboot loader) */
extern uint32_t ap_boot_edx;         /* EDX at the last AP start (family/model/stepping) */
const char *cmdline(void);           /* "" when the loader gave none */
/* Value of `key=` on the command line (decimal or 0x hex), or `def`. */
unsigned long cmdline_uint(const char *key, unsigned long def);
uint64_t mem_upper_bytes(void);      /* end of RAM above 1 MiB, as an address */

/* Every guest provides main(); returning from it exits with its value. */
int main(void);

/* ---- string helpers ---- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* ---- console (16550 at 0x3F8) and exit port ---- */
void putchar_serial(char c);
void puts_serial(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t sz, const char *fmt, va_list ap);
noreturn void guest_exit(uint32_t code);
/* Shutdown request (`xl shutdown`, docs/architecture.md): port 0xF5 reads 0, or
 * 1 + the reason (0 poweroff, 1 reboot, ...). Natively it reads 0; 0xFF (an
 * empty ISA bus, no such port) means no request too. */
#define SHUTDOWN_REQUEST_PORT 0xF5
int shutdown_requested(void);         /* the reason, or -1 if none */
/* End for a reason (0 poweroff, 1 reboot, 3 crash, 4 watchdog) by writing it
 * to the shutdown-request port, as a Xen guest's SCHEDOP_shutdown; the
 * toolstack then applies on_poweroff/on_reboot/... Natively QEMU exits with
 * status (reason << 1) | 1. */
noreturn void guest_shutdown(int reason);
/* Called by shutdown_poll() on a request; a guest sets it to end its own way
 * (its own exit code). Unset, the guest prints a line and ends for the
 * requested reason (a poweroff exits with 0). */
extern void (*shutdown_handler)(int reason);
void shutdown_poll(void);             /* sleep_ticks() polls after every wake-up */

/* ---- port I/O, MSRs, CPUID, TSC ---- */
static inline void outb(uint16_t p, uint8_t v) { asm volatile("outb %0,%1" :: "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { asm volatile("outw %0,%1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { asm volatile("outl %0,%1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; asm volatile("inb %1,%0" : "=a"(v) : "Nd"(p)); return v; }

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    asm volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
struct cpuid_regs { uint32_t a, b, c, d; };
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
    struct cpuid_regs r;
    asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
    return r;
}
static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline void pause(void) { asm volatile("pause" ::: "memory"); }
static inline unsigned long read_flags(void)
{
    unsigned long f;
    asm volatile("pushf; pop %0" : "=r"(f) :: "memory");
    return f;
}
static inline unsigned long read_cr4(void) { unsigned long v; asm volatile("mov %%cr4,%0" : "=r"(v)); return v; }
static inline void write_cr4(unsigned long v) { asm volatile("mov %0,%%cr4" :: "r"(v) : "memory"); }
static inline unsigned long read_cr0(void) { unsigned long v; asm volatile("mov %%cr0,%0" : "=r"(v)); return v; }
static inline void write_cr0(unsigned long v) { asm volatile("mov %0,%%cr0" :: "r"(v) : "memory"); }
static inline unsigned long read_cr2(void) { unsigned long v; asm volatile("mov %%cr2,%0" : "=r"(v)); return v; }
static inline unsigned long read_cr3(void) { unsigned long v; asm volatile("mov %%cr3,%0" : "=r"(v)); return v; }
/* Reloading CR3 flushes the non-global TLB entries (after a page-table edit). */
static inline void flush_tlb(void) { asm volatile("mov %0,%%cr3" :: "r"(read_cr3()) : "memory"); }

/* SSE: CR0.EM off, CR0.MP and CR4.OSFXSR/OSXMMEXCPT on. The library itself
 * is built without SSE, so XMM registers hold only what a guest puts there. */
void sse_enable(void);
/* Every XMM register (8 in 32-bit code, 16 in 64-bit) to/from 16-byte slots. */
#define SSE_NREGS (sizeof(long) == 8 ? 16 : 8)
void sse_load_all(const uint64_t (*slots)[2]);
void sse_store_all(uint64_t (*slots)[2]);

/* ---- debug registers (unsigned long: 64 bits in the 64-bit flavour) ---- */
#define DEFINE_DR(n) \
    static inline unsigned long read_dr##n(void) \
    { unsigned long v; asm volatile("mov %%dr" #n ",%0" : "=r"(v) :: "memory"); return v; } \
    static inline void write_dr##n(unsigned long v) \
    { asm volatile("mov %0,%%dr" #n :: "r"(v) : "memory"); }
DEFINE_DR(0) DEFINE_DR(1) DEFINE_DR(2) DEFINE_DR(3)
DEFINE_DR(6) DEFINE_DR(7)
#undef DEFINE_DR
unsigned long read_dr(int n);               /* n in 0-7 (4/5 alias when CR4.DE=0) */
void write_dr(int n, unsigned long v);

#define DR6_B(n)     BIT(n)
#define DR6_BD       BIT(13)
#define DR6_BS       BIT(14)
#define DR6_BT       BIT(15)
#define DR7_L(n)     BIT((n) * 2)
#define DR7_G(n)     BIT((n) * 2 + 1)
#define DR7_GD       BIT(13)
#define DR7_RW(n, rw)  ((unsigned long)(rw) << (16 + (n) * 4))
#define DR7_LEN(n, l)  ((unsigned long)(l) << (18 + (n) * 4))
#define DR_RW_EXEC 0
#define DR_RW_WRITE 1
#define DR_RW_RW 3
/* LEN encodings: 1, 2, 8 (long mode only), 4 bytes */
#define DR_LEN_1 0
#define DR_LEN_2 1
#define DR_LEN_8 2
#define DR_LEN_4 3
#define X86_EFLAGS_TF BIT(8)
#define X86_EFLAGS_IF BIT(9)
#define X86_EFLAGS_RF BIT(16)
#define X86_CR4_DE    BIT(3)

/* ---- exceptions and interrupts ---- */
/* Register frame built by the vector stubs. A handler may change ip/flags
 * (and, in 64-bit, cs/sp/ss) to resume somewhere else. */
struct trap_frame {
#ifdef __x86_64__
    unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
    unsigned long rbp, rdi, rsi, rdx, rcx, rbx, rax;
    unsigned long vector, error_code;
    unsigned long ip, cs, flags, sp, ss;
#else
    unsigned long edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
    unsigned long vector, error_code;
    unsigned long ip, cs, flags;
#endif
};
typedef void (*trap_handler_t)(struct trap_frame *f);

/* Last exception seen by the default handler. */
struct trap_record {
    volatile long vector;            /* -1 = none */
    volatile unsigned long error_code, ip, count;
};
extern struct trap_record last_trap;

void trap_init(void);                 /* called by the entry code; installs the IDT */
void trap_load_idt(void);             /* per CPU (APs) */
void trap_set_handler(int vector, trap_handler_t h);
/* Exceptions without a handler and without a pending TRY: print vector,
 * error code and IP, then guest_exit(unexpected_exit_code). */
extern uint32_t unexpected_exit_code;
extern unsigned long trap_fixup;      /* resume address armed by TRY_ASM */
const char *vector_name(int v);

/* TRY_ASM(insn): run one faulting-prone instruction; an exception that has
 * no C handler resumes right after it. Returns the vector, or -1.
 * Operands follow as ": outputs : inputs" (both colons required). */
#ifdef __x86_64__
#define TRY_MOV "movq"
#else
#define TRY_MOV "movl"
#endif
#define TRY_ASM(insn, ...) ({ \
    last_trap.vector = -1; \
    asm volatile(TRY_MOV " $1f, trap_fixup\n\t" insn "\n\t1:\n\t" TRY_MOV " $0, trap_fixup" \
                 __VA_ARGS__ : "memory"); \
    (int)last_trap.vector; })
int try_write_dr(int n, unsigned long v);  /* -1 or vector */
int try_read_dr(int n, unsigned long *v);
int try_rdmsr(uint32_t msr, uint64_t *val);  /* -1 or vector; *val 0 on a fault */
int try_wrmsr(uint32_t msr, uint64_t val);

/* ---- #DB / #BP recorder (debug.c) ---- */
#define DB_MAX_EVENTS 32
struct db_event { unsigned long vector, dr6, dr7, ip, flags, sp; };
extern struct db_event db_events[DB_MAX_EVENTS];
extern volatile unsigned int db_count;
extern unsigned int db_mode;          /* DB_* flags */
extern unsigned int db_limit;         /* after this many, TF and DR7 are cleared */
#define DB_CLEAR_DR6 1                /* handler writes DR6=0 after reading it */
#define DB_CLEAR_DR7 2                /* handler writes DR7=0 (stops re-triggering) */
#define DB_STOP_TF   4                /* handler clears TF in the interrupted flags */
void db_install(unsigned int mode);   /* record vectors 1 and 3 */
void db_reset(void);
void db_print(const char *what, const char *sym, const void *base);

/* ---- xAPIC ---- */
#define APIC_BASE_ADDR 0xFEE00000UL
#define APIC_ID     0x020
#define APIC_EOI    0x0B0
#define APIC_SPIV   0x0F0
#define APIC_ICR    0x300
#define APIC_ICR2   0x310
#define APIC_LVTT   0x320
#define APIC_TMICT  0x380
#define APIC_TMCCT  0x390
#define APIC_TDCR   0x3E0
#define TIMER_VECTOR 0x40
#define SPURIOUS_VECTOR 0xFF
static inline uint32_t apic_read(uint32_t reg) { return *(volatile uint32_t *)(APIC_BASE_ADDR + reg); }
static inline void apic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(APIC_BASE_ADDR + reg) = v; }
void apic_init(void);                 /* mask the PIC, enable the APIC, timer vector */
uint32_t apic_id(void);
/* The 8259A pair as Linux sets it up: master at vector (slave at vector + 8,
 * fully masked), edge triggered, auto-EOI or not, master IMR master_mask. */
void pic8259_init(uint8_t vector, bool auto_eoi, uint8_t master_mask);
void apic_eoi(void);
void apic_timer_oneshot(uint32_t count);  /* divide by 1, vector TIMER_VECTOR */
/* Lets pending interrupts in: STI, `spins` PAUSEs, CLI. */
void irq_settle(unsigned spins);
extern volatile unsigned long timer_ticks; /* bumped by the timer handler */
void sleep_ticks(uint32_t count);     /* arm one-shot, HLT until it fired */
void apic_send_ipi(uint32_t dest, uint32_t icr_low);
/* Set by a guest whose sending CPU is in x2APIC mode: apic_send_ipi (and so
 * smp_start_ap) writes the 64-bit x2APIC ICR instead of the xAPIC page. */
#define X2APIC_ICR 0x830
extern bool x2apic_ipis;

/* ---- fw_cfg ---- */
uint16_t fwcfg_cpu_count(void);

/* ---- SMP ---- */
#define MAX_CPUS 16
typedef void (*ap_fn_t)(unsigned int cpu);
/* Start CPU `cpu` (APIC ID == cpu) with INIT-SIPI-SIPI; it runs fn(cpu) on
 * its own stack. Waits until the AP reached C code. Returns 0 or -1. */
int smp_start_ap(unsigned int cpu, ap_fn_t fn);
/* Same for a machine with exactly one AP, started the way many OSes and
 * test kernels do: INIT and SIPI to "all excluding self". It runs fn(1). */
int smp_start_others(ap_fn_t fn);
/* Waits until *p (a counter another CPU bumps) reaches want, or a generous
 * TSC budget (2e10 cycles) runs out: false. */
bool wait_count(volatile unsigned long *p, unsigned long want);
void spin_lock(volatile int *l);
void spin_unlock(volatile int *l);
static inline unsigned long atomic_xadd(volatile unsigned long *p, unsigned long v)
{
    asm volatile("lock xadd %0,%1" : "+r"(v), "+m"(*p) :: "memory");
    return v;
}
noreturn void halt_forever(void);

/* ---- ring 3 (64-bit flavour only) ---- */
#ifdef __x86_64__
/* Run fn at CPL3 on a user stack. Returns fn's result, or -1 - vector if
 * fn raised an exception (which is recorded in last_trap). */
long run_user(long (*fn)(void));
void tss_set_ist(int ist, unsigned long stack_top);
void trap_set_ist(int vector, int ist);
#endif

/* ---- TAP-like assertions ---- */
void report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int report_summary(void);              /* prints totals, returns exit code */

#endif
