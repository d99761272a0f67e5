/*
 * Control server: the hypervisor end of the toolstack protocol
 * (public/control.h, docs/protocol.md).
 *
 * The integrator feeds received bytes in with ctl_rx_byte()/ctl_rx_bytes(),
 * calls ctl_poll() now and then, and supplies ctl_tx_bytes() and the hv_ctl_*
 * backend below. The server validates every frame and every field it can
 * before calling the backend, so the backend sees only well-formed
 * arguments (domain/vCPU existence is the backend's to check).
 *
 * Concurrency: the server keeps one frame of state; calls into it must be
 * serialised (one pCPU's poll loop or a lock). Replies are sent from inside
 * ctl_rx_byte(). Freestanding: no allocation, bounded buffers.
 */
#ifndef DBGVISOR_CONTROL_H
#define DBGVISOR_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../public/control.h"
#include "ctlframe.h"

/* A partial frame older than this is dropped by ctl_poll(). */
#define CTL_RX_STALE_NS  500000000ull

void ctl_init(void);
void ctl_rx_byte(uint8_t byte);
void ctl_rx_bytes(const void *buf, size_t len);
/* now_ns: any monotonic clock. Drops a stale partial frame, so a client that
 * died mid-frame cannot delay the next one. */
void ctl_poll(uint64_t now_ns);

/*
 * A byte stream from the toolstack besides the default one (a shared-memory
 * slot, docs/protocol.md): its own reassembler, so streams never mix, and
 * its own transmit function, so each reply goes back the way its request
 * came. ctl_rx_byte()/ctl_rx_bytes() feed the default channel, whose replies
 * go to ctl_tx_bytes().
 */
struct ctl_chan {
    struct ctl_rx rx;
    uint64_t last_rx;
    bool held_back;            /* max_replies ran out with bytes unexamined */
    /* Must take all len bytes: the caller of ctl_chan_rx guaranteed room. */
    void (*tx)(struct ctl_chan *ch, const void *buf, size_t len);
    uint8_t rxbuf[DBGV_CTL_MAX_FRAME] __attribute__((aligned(8)));
};
void ctl_chan_init(struct ctl_chan *ch,
                   void (*tx)(struct ctl_chan *ch, const void *buf, size_t len));
/* Forget a partial frame (a new client took the stream over). */
void ctl_chan_reset(struct ctl_chan *ch);
/* Feed up to len bytes and answer every request they complete, but send at
 * most max_replies replies (each at most DBGV_CTL_MAX_FRAME bytes): the
 * caller sizes it to the room it has. Returns the bytes taken; bytes held
 * back stay in the channel and are processed by the next call. */
size_t ctl_chan_rx(struct ctl_chan *ch, const void *buf, size_t len,
                   unsigned int max_replies);
/* Did max_replies run out with bytes held that may complete requests? */
bool ctl_chan_busy(const struct ctl_chan *ch);
/* Drop a partial frame idle for CTL_RX_STALE_NS (ctl_poll does this for the
 * default channel). */
void ctl_chan_poll(struct ctl_chan *ch, uint64_t now_ns);

/* Counters for the hypervisor log / tests. */
struct ctl_stats {
    uint64_t frames_ok;      /* requests dispatched */
    uint64_t frames_bad;     /* ERROR replies sent */
    uint64_t stale_drops;    /* partial frames dropped by ctl_poll */
};
void ctl_get_stats(struct ctl_stats *out);

/* ---- supplied by the integrator ---------------------------------------- */

/* Send bytes to the client; must send all of them (may block/poll). */
void ctl_tx_bytes(const void *buf, size_t len);

/*
 * Backend. Every function returns 0 or -DBGV_E*; unknown domain/vCPU ->
 * -DBGV_ESRCH. Output arrays hold `max` entries; *count is the number
 * written, *total the number that exist. Pointers are never NULL.
 */
int hv_ctl_physinfo(struct dbgv_ctl_physinfo *out);
/* Fill hello fields the server does not know (hv_version, features). */
void hv_ctl_hello(struct dbgv_ctl_hello_rep *rep);

/* Domains with domid >= start_domid, ascending, Domain-0 (the control
 * domain, no vCPUs of its own) included as id 0. */
int hv_ctl_domain_list(uint32_t start_domid, struct dbgv_ctl_dominfo *out,
                       uint32_t max, uint32_t *count, uint32_t *total);
int hv_ctl_domain_info(uint32_t domid, struct dbgv_ctl_dominfo *out);
/* req is validated: name non-empty, NUL-terminated, [A-Za-z0-9_.-];
 * memory_mib >= 1, 1 <= nr_vcpus <= CTL_MAX_VCPUS, policy < COUNT.
 * Create paused with zeroed memory. -DBGV_EEXIST for a name in use,
 * -DBGV_ENOMEM when memory is short. */
int hv_ctl_domain_create(const struct dbgv_ctl_domain_create *req,
                         uint32_t *domid);
/* Domain 0 is rejected by the server for all four (-DBGV_EPERM). */
int hv_ctl_domain_pause(uint32_t domid);
int hv_ctl_domain_unpause(uint32_t domid);
int hv_ctl_domain_destroy(uint32_t domid);
int hv_ctl_domain_shutdown(uint32_t domid, uint32_t reason);
/* len <= DBGV_CTL_MEM_CHUNK, gpa + len does not wrap; range check against
 * the domain's memory is the backend's (-DBGV_EFAULT). */
int hv_ctl_mem_write(uint32_t domid, uint64_t gpa, const void *data,
                     uint32_t len);
int hv_ctl_mem_read(uint32_t domid, uint64_t gpa, void *data, uint32_t len);
/* regs->mask is non-zero and within DBGV_REG_ALL, mode known.
 * -DBGV_EBUSY if the vCPU is not paused. */
int hv_ctl_vcpu_set_regs(const struct dbgv_ctl_vcpu_regs *regs);
int hv_ctl_vcpu_list(uint32_t domid, uint32_t start,
                     struct dbgv_ctl_vcpuinfo *out, uint32_t max,
                     uint32_t *count, uint32_t *total);
/* Fill rep and up to max bytes at data (ctl_ring_read() does this). */
int hv_ctl_console_read(uint32_t domid, uint64_t offset, void *data,
                        uint32_t max, struct dbgv_ctl_ring_rep *rep);
/* Console input: len <= DBGV_CTL_CONSOLE_WRITE_MAX; domid is not Domain-0.
 * Fill rep (accepted <= len). */
int hv_ctl_console_write(uint32_t domid, const void *data, uint32_t len,
                         struct dbgv_ctl_console_write_rep *rep);
int hv_ctl_hvlog_read(uint64_t offset, void *data, uint32_t max,
                      struct dbgv_ctl_ring_rep *rep);
int hv_ctl_debug_state(uint32_t domid, uint32_t start,
                       struct dbgv_vcpu_debug_state *out, uint32_t max,
                       uint32_t *count, uint32_t *total);
/* Every vCPU of the domains with id >= domid (from vCPU start of domain
 * domid itself), in (domid, vCPU) order: up to max entries, *total counts
 * them all. */
int hv_ctl_debug_state_list(uint32_t domid, uint32_t start,
                            struct dbgv_ctl_dom_debug_state *out, uint32_t max,
                            uint32_t *count, uint32_t *total);
/* policy < DBGV_POLICY_COUNT; quiet_switches >= 1 when set_quiet. */
int hv_ctl_debug_policy_set(uint32_t domid, uint32_t policy, bool set_quiet,
                            uint32_t quiet_switches);
/* Fill rep and up to max events (ctl_evq_read() does this). */
int hv_ctl_events_read(uint64_t since_seq, uint32_t domid,
                       struct dbgv_ctl_event *out, uint32_t max,
                       struct dbgv_ctl_events_rep *rep);

#define CTL_MAX_VCPUS 64

/* Host management (xl rename, vcpu-pin, dmesg -c, debug-keys). Optional like
 * the guest-debugging range: a backend without them answers -ENOSYS.
 * rename: name validated as DOMAIN_CREATE's, domid not Domain-0.
 * set_affinity: cpumap non-zero, vcpu < CTL_MAX_VCPUS or DBGV_VCPU_ALL; the
 * backend checks the pCPUs exist (-EINVAL). debug_keys: 1..64 bytes. */
int hv_ctl_domain_rename(uint32_t domid, const char *name);
int hv_ctl_domain_meminfo(uint32_t domid, struct dbgv_ctl_meminfo *out);
int hv_ctl_vcpu_set_affinity(uint32_t domid, uint32_t vcpu, uint32_t cpumap);
int hv_ctl_hvlog_clear(void);
int hv_ctl_debug_keys(const char *keys, uint32_t len);
/* set: tslice_us is within DBGV_SCHED_TSLICE_MIN_US..MAX_US. Fill *out. */
int hv_ctl_sched_params(bool set, uint32_t tslice_us, struct dbgv_ctl_sched_params *out);

/* Guest debugging (0x01xx, docs/guest-debug.md); common/guest_debug.c.
 * Fields are validated by the server (sizes, pads, types, lengths,
 * alignment, vCPU < CTL_MAX_VCPUS or ALL); existence, attachment (-EPERM)
 * and pausing (-EBUSY) are the backend's. A backend that does not provide
 * these (hosted tests) leaves the range answering -ENOSYS. */
int hv_ctl_gdbg_attach(uint32_t domid);
int hv_ctl_gdbg_detach(uint32_t domid);
int hv_ctl_gdbg_set_bp(const struct dbgv_ctl_gdbg_bp *bp);
int hv_ctl_gdbg_clear_bp(const struct dbgv_ctl_gdbg_bp *bp);
int hv_ctl_gdbg_step(const struct dbgv_ctl_gdbg_step *step);
int hv_ctl_gdbg_continue(uint32_t domid);
int hv_ctl_gdbg_get_regs(uint32_t domid, uint32_t vcpu, struct dbgv_gdbg_regs *out);
int hv_ctl_gdbg_set_regs(const struct dbgv_ctl_gdbg_set_regs *req);
int hv_ctl_gdbg_get_regs_arm64(uint32_t domid, uint32_t vcpu, struct dbgv_gdbg_regs_arm64 *out);
int hv_ctl_gdbg_set_regs_arm64(const struct dbgv_ctl_gdbg_set_regs_arm64 *req);
/* virt: addr is a guest linear address translated by vcpu's page tables. */
int hv_ctl_gdbg_mem_read(uint32_t domid, uint32_t vcpu, uint64_t addr, bool virt,
                         void *data, uint32_t len);
int hv_ctl_gdbg_mem_write(uint32_t domid, uint32_t vcpu, uint64_t addr, bool virt,
                          const void *data, uint32_t len);

/* ---- helpers for the backend: output rings and the event queue --------- */

/*
 * Byte ring addressed by absolute offset (console output, hypervisor log).
 * size must be a power of two. Writers and readers must be serialised by
 * the caller (the same lock that protects the domain).
 */
struct ctl_ring {
    uint8_t *buf;
    uint32_t size;
    uint64_t prod;    /* bytes ever written */
    uint64_t start;   /* bytes before this offset were cleared */
};
void ctl_ring_init(struct ctl_ring *r, void *buf, uint32_t size);
void ctl_ring_write(struct ctl_ring *r, const void *data, size_t len);
/* Discard what the ring holds: readers start after it (HVLOG_CLEAR). */
void ctl_ring_clear(struct ctl_ring *r);
/* Implements the CONSOLE_READ/HVLOG_READ semantics; returns bytes copied. */
uint32_t ctl_ring_read(const struct ctl_ring *r, uint64_t offset, void *data,
                       uint32_t max, struct dbgv_ctl_ring_rep *rep);

/*
 * Event queue with sequence numbers (first event: seq 1). Bounded: when full
 * the oldest event is overwritten and readers that had not seen it are told
 * how many they lost. Caller serialises.
 */
struct ctl_evq {
    struct dbgv_ctl_event *ev;
    uint32_t size;
    uint64_t next_seq;
};
void ctl_evq_init(struct ctl_evq *q, struct dbgv_ctl_event *storage,
                  uint32_t size);
/* Copies ev, assigns and returns its sequence number. */
uint64_t ctl_evq_push(struct ctl_evq *q, const struct dbgv_ctl_event *ev);
uint32_t ctl_evq_read(const struct ctl_evq *q, uint64_t since_seq,
                      uint32_t domid, struct dbgv_ctl_event *out,
                      uint32_t max, struct dbgv_ctl_events_rep *rep);

#endif
