/*
 * MC146818 real-time clock and CMOS RAM of one domain (ports 0x70 index +
 * NMI mask, 0x71 data). Self-contained: the owner passes port accesses in,
 * supplies the time (ns) and the wall-clock second the clock starts at, and
 * is told of IRQ8 level changes (IRQF of register C). Flags are computed
 * from time at each access; to deliver interrupts without accesses the
 * owner calls vrtc_poll() at vrtc_next_event().
 */
#ifndef ASM_VRTC_H
#define ASM_VRTC_H

#include <stdbool.h>
#include <stdint.h>

#define VRTC_PORT_INDEX  0x70
#define VRTC_PORT_DATA   0x71
#define VRTC_NEVER       UINT64_MAX
#define VRTC_CENTURY     0x32       /* CMOS byte of the century, part of the clock */

typedef uint64_t (*vrtc_clock_fn)(void *opaque);          /* now, in ns */
typedef void (*vrtc_irq_fn)(void *opaque, bool level);     /* IRQ8 */

struct vrtc {
    uint8_t index;              /* register selected through 0x70 */
    bool nmi_masked;            /* bit 7 of the last write to 0x70 */
    uint8_t ram[128];           /* A, B, D, the alarms and the CMOS bytes */
    uint8_t flags;              /* register C: IRQF, PF, AF, UF */
    bool irq_level;
    /* The clock: while running, the guest's second `secs` began at `secs_ns`;
     * while stopped (SET, or the divider held in reset), it reads `secs`. */
    int64_t secs;
    uint64_t secs_ns;
    int8_t wday_adjust;         /* the day-of-week counter as written, against the date */
    uint64_t flags_ns;          /* flags are up to date until this time */
    vrtc_clock_fn clock;
    vrtc_irq_fn irq;
    void *opaque;
};

/* Power-on registers (A 0x26, B 0x02: BCD, 24 h; D valid), CMOS RAM zero,
 * the clock running from unix_seconds. */
void vrtc_init(struct vrtc *r, int64_t unix_seconds, vrtc_clock_fn clock, vrtc_irq_fn irq,
               void *opaque);
/* Byte accesses; false if the port is not the RTC's. */
bool vrtc_io_read(struct vrtc *r, uint16_t port, uint8_t *val);
bool vrtc_io_write(struct vrtc *r, uint16_t port, uint8_t val);
/* Firmware's CMOS bytes (0x0E-0x7F except the century). */
void vrtc_set_cmos(struct vrtc *r, uint8_t index, uint8_t val);
/* Bring register C up to now and report IRQ8; when an enabled flag is next set. */
void vrtc_poll(struct vrtc *r);
uint64_t vrtc_next_event(struct vrtc *r);
/* Unix seconds of an MC146818's time and date registers (indexes 0-9, B and
 * the century byte), decoded per its register B; for reading a real RTC. */
int64_t vrtc_regs_to_unix(const uint8_t regs[VRTC_CENTURY + 1]);
/* The guest's clock in Unix seconds. */
int64_t vrtc_unix_seconds(struct vrtc *r);

#endif
