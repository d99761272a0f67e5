/* dbgvisor test-guest library, arm64 flavour (docs/arm64.md, "guest contract").
 *
 * A guest is an arm64 Linux Image for QEMU's `virt` machine: entered at EL1
 * with the MMU off and x0 = the device tree's address; console on the PL011
 * at 0x09000000; it ends through HVC: our exit call (DBGV_HVC_EXIT, x1 = the
 * exit code), and PSCI SYSTEM_OFF where that call is not known (bare QEMU,
 * whose own PSCI answers HVC). The same image runs natively
 * (`qemu-system-aarch64 -M virt -cpu max -kernel X.bin`) and as a domain. */
#ifndef GUEST_H   /* the x86 guard too: see xen-tests/guests/arm64/Makefile */
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n)        (1UL << (n))
#define noreturn      __attribute__((noreturn))

#define read_sysreg(r) ({ uint64_t __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")

/* Every guest provides main(); returning from it exits with its value. */
int main(void);
extern const void *boot_dtb;          /* x0 at entry */

/* strings and formatting (hypervisor/common/lib, shared with the hypervisor) */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int vsnprintf(char *buf, size_t sz, const char *fmt, va_list ap);
int snprintf(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* console */
void putchar_serial(char c);
/* A received byte from the PL011, -1 if its receive FIFO is empty (polled). */
int getchar_serial(void);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* exit */
#define DBGV_HVC_EXIT    0x8600db00U
#define PSCI_SYSTEM_OFF  0x84000008U
noreturn void guest_exit(uint32_t code);
/* One SMCCC call through HVC: function id, one argument; returns x0. */
uint64_t hvc_call(uint64_t fn, uint64_t arg);

/* Waiting on the generic timer: WFIT until a virtual count (FEAT_WFxT), WFIT
 * until ms have passed (the vCPU sleeps; others run), spinning ms on the
 * physical counter (runs through time slices). */
void wfit(uint64_t vcount);
void sleep_ms(unsigned ms);
void spin_ms(unsigned ms);

/* TAP: `ok N - what` / `not ok N - what`; report_summary() is main's result. */
void report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int report_summary(void);

/* Exceptions taken to EL1 (any vector): registers as they were, plus syndrome. */
struct trap_frame {
    uint64_t x[31];
    uint64_t elr, spsr, esr, far;
};
#define ESR_EC(esr)     (((esr) >> 26) & 0x3f)
#define EC_UNKNOWN      0x00
#define EC_BKPT_CUR     0x31     /* breakpoint, taken without a change of EL */
#define EC_SSTEP_CUR    0x33
#define EC_WATCH_CUR    0x35
#define EC_BRK          0x3c
/* Handler for one exception class; it may change the frame (elr, spsr) it returns
 * with. An exception with no handler prints a line and exits with code 3. */
typedef void (*trap_handler_fn)(struct trap_frame *f);
void set_trap_handler(unsigned ec, trap_handler_fn fn);
/* Handler for IRQs (the IRQ vectors); without one an IRQ exits with code 3. */
void set_irq_handler(trap_handler_fn fn);

#endif
