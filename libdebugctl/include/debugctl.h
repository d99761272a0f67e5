/*
 * libdebugctl: the C API every dbgvisor tool uses to talk to the hypervisor.
 *
 * Calls are synchronous and return 0 or a negative errno-style code
 * (dbgctl_strerror() describes it). A handle may be shared between threads:
 * each call holds the handle's lock for its request/reply round trip.
 * Structures are those of the public ABI (<dbgvisor/public/control.h>).
 */
#ifndef DEBUGCTL_H
#define DEBUGCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <dbgvisor/public/control.h>
#include <dbgvisor/public/debug.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DBGCTL_VERSION_MAJOR 0
#define DBGCTL_VERSION_MINOR 1
#define DBGCTL_URI_ENV       "DBGCTL_URI"
#define DBGCTL_TIMEOUT_DEFAULT_MS 5000

typedef struct dbgctl dbgctl;

/* ---- connection -------------------------------------------------------- */

/* uri: "unix:/path" (or a bare absolute path). NULL: $DBGCTL_URI, else
 * unix:$XDG_RUNTIME_DIR/dbgvisor/control.sock, else
 * unix:/tmp/dbgvisor-$UID/control.sock. Connects and handshakes.
 * Errors: -ENOENT/-ECONNREFUSED (no hypervisor), -ETIMEDOUT, -EPROTO
 * (protocol version mismatch), -EINVAL (bad URI), -EPROTONOSUPPORT. */
int dbgctl_open(const char *uri, dbgctl **out);
void dbgctl_close(dbgctl *h);
/* Write the URI dbgctl_open(NULL) would use into buf. */
int dbgctl_default_uri(char *buf, size_t len);
const char *dbgctl_uri(const dbgctl *h);
/* "shm" (the hypervisor's shared-memory rings, preferred when the launcher
 * provides them), "socket" or "none" (disconnected). DBGCTL_TRANSPORT=socket
 * in the environment forces the socket. */
const char *dbgctl_transport_name(const dbgctl *h);
/* Timeout of each later call on this handle; <= 0 restores the default. */
void dbgctl_set_timeout(dbgctl *h, int timeout_ms);
/* Drop the connection until the next call, which reconnects by itself.
 * The hypervisor's serial control port serves one client at a time, so a
 * tool that polls (xl console, dbgtop) calls this between polls to let
 * other tools in. */
void dbgctl_idle(dbgctl *h);
/* Reply to the handshake made by dbgctl_open(). */
const struct dbgv_ctl_hello_rep *dbgctl_hello_info(const dbgctl *h);
/* Message for a code returned by any dbgctl_* call (sign ignored). */
const char *dbgctl_strerror(int err);

/* ---- hypervisor -------------------------------------------------------- */

int dbgctl_physinfo(dbgctl *h, struct dbgv_ctl_physinfo *out);
/* Hypervisor log ring: *offset in/out (0 for the start), see console. */
int dbgctl_hvlog_read(dbgctl *h, uint64_t *offset, void *buf, size_t max,
                      size_t *len, uint64_t *lost);

/* Discard what the hypervisor log holds (xl dmesg -c). */
int dbgctl_hvlog_clear(dbgctl *h);
/* Xen's debug keys (1..DBGV_CTL_DEBUG_KEYS_MAX characters): each dumps some
 * hypervisor state into its log; "h" lists them. */
int dbgctl_debug_keys(dbgctl *h, const char *keys);

/* The scheduler's time slice in microseconds: *tslice_us out; set_us > 0
 * sets it first (DBGV_SCHED_TSLICE_MIN_US..MAX_US), 0 only reads. */
int dbgctl_sched_params(dbgctl *h, uint32_t set_us, uint32_t *tslice_us);

/* ---- domains ----------------------------------------------------------- */

/* All domains (Domain-0 first); *out is malloc'd, free() it. */
int dbgctl_domain_list(dbgctl *h, struct dbgv_ctl_dominfo **out,
                       unsigned int *nr);
int dbgctl_domain_info(dbgctl *h, uint32_t domid, struct dbgv_ctl_dominfo *out);
/* A domain by name or by decimal id; -ESRCH if none. */
int dbgctl_domain_lookup(dbgctl *h, const char *name_or_id, uint32_t *domid);
/* Create an empty paused domain. policy: enum dbgv_debug_policy;
 * quiet_switches 0 means the default. */
int dbgctl_domain_create(dbgctl *h, const char *name, uint32_t memory_mib,
                         uint32_t nr_vcpus, unsigned int policy,
                         uint32_t quiet_switches, uint32_t *domid);
/* The same with the access mode for guest-physical addresses with nothing
 * behind them: enum dbgv_unbacked_access (dbgctl_domain_create: ignore). */
int dbgctl_domain_create_unbacked(dbgctl *h, const char *name,
                                  uint32_t memory_mib, uint32_t nr_vcpus,
                                  unsigned int policy, uint32_t quiet_switches,
                                  unsigned int unbacked_access, uint32_t *domid);
/* The same from a whole request (every field of struct dbgv_ctl_domain_create:
 * timer_mode...); the caller zeroes what it does not set. */
int dbgctl_domain_create_req(dbgctl *h, const struct dbgv_ctl_domain_create *req,
                             uint32_t *domid);
int dbgctl_domain_pause(dbgctl *h, uint32_t domid);
int dbgctl_domain_unpause(dbgctl *h, uint32_t domid);
int dbgctl_domain_destroy(dbgctl *h, uint32_t domid);
int dbgctl_domain_shutdown(dbgctl *h, uint32_t domid, unsigned int reason);
/* A new name, unique among live domains (-EEXIST), [A-Za-z0-9_.-]. */
int dbgctl_domain_rename(dbgctl *h, uint32_t domid, const char *name);
/* RAM and the hypervisor's overhead for it (Domain-0: the hypervisor's own
 * pages); -ENOSYS from a hypervisor without DOMAIN_MEMINFO. */
int dbgctl_domain_meminfo(dbgctl *h, uint32_t domid, struct dbgv_ctl_meminfo *out);

/* Guest-physical memory; split into DBGV_CTL_MEM_CHUNK requests.
 * dbgctl_mem_write with data NULL writes zeros. */
int dbgctl_mem_write(dbgctl *h, uint32_t domid, uint64_t gpa,
                     const void *data, size_t len);
int dbgctl_mem_read(dbgctl *h, uint32_t domid, uint64_t gpa, void *data,
                    size_t len);
int dbgctl_vcpu_set_regs(dbgctl *h, const struct dbgv_ctl_vcpu_regs *regs);

/* ---- vCPUs, console, debug state, events ------------------------------ */

/* Hard affinity of one vCPU or of all (DBGV_VCPU_ALL): bit n = pCPU n. */
int dbgctl_vcpu_set_affinity(dbgctl *h, uint32_t domid, uint32_t vcpu,
                             uint32_t cpumap);
int dbgctl_vcpu_list(dbgctl *h, uint32_t domid,
                     struct dbgv_ctl_vcpuinfo **out, unsigned int *nr);
/* Read console output from *offset (0: the start); *offset advances past
 * what was returned, so successive calls neither lose nor repeat bytes.
 * *lost (may be NULL) counts bytes overwritten before they were read. */
int dbgctl_console_read(dbgctl *h, uint32_t domid, uint64_t *offset,
                        void *buf, size_t max, size_t *len, uint64_t *lost);
/* Console input: len (<= DBGV_CTL_CONSOLE_WRITE_MAX) bytes into the
 * domain's UART receiver, as if they arrived on its serial line. Bytes
 * beyond the receiver's room are lost with an overrun (LSR.OE), as on
 * hardware; *accepted (may be NULL) says how many went in, *room (may be
 * NULL) how many it can take now. Sending at most *room bytes (len 0
 * only asks) loses nothing. -ESRCH: no such domain; -EPERM: Domain-0. */
int dbgctl_console_write(dbgctl *h, uint32_t domid, const void *buf,
                         size_t len, size_t *accepted, size_t *room);
int dbgctl_debug_state(dbgctl *h, uint32_t domid,
                       struct dbgv_vcpu_debug_state **out, unsigned int *nr);
/* Every vCPU of every domain, ordered by (domid, vcpu_id), in one round trip
 * per 10 vCPUs (DEBUG_STATE_LIST); -ENOSYS from a hypervisor without it.
 * *out is malloc'ed (free it). */
int dbgctl_debug_state_all(dbgctl *h, struct dbgv_ctl_dom_debug_state **out,
                           unsigned int *nr);
/* What a monitor shows of every vCPU (struct dbgv_vcpu_debug_summary, debug
 * ABI 3), ordered by (domid, vcpu_id), in one round trip per 85 vCPUs
 * (DEBUG_SUMMARY_LIST; condensed from DEBUG_STATE_LIST by a hypervisor
 * without it; -ENOSYS from one without either). *out is malloc'ed. */
int dbgctl_debug_summary_all(dbgctl *h, struct dbgv_vcpu_debug_summary **out,
                             unsigned int *nr);
/* quiet_switches < 0: leave the threshold unchanged. */
int dbgctl_debug_policy_set(dbgctl *h, uint32_t domid, unsigned int policy,
                            int64_t quiet_switches);
/* Events with seq >= *since (0 or 1 for the oldest); *since advances.
 * domid DBGV_DOMID_ANY for all domains. */
int dbgctl_events_read(dbgctl *h, uint64_t *since, uint32_t domid,
                       struct dbgv_ctl_event *out, unsigned int max,
                       unsigned int *nr, uint64_t *lost);

/* ---- guest debugging (docs/guest-debug.md, man 3 dbgctl_gdbg) --------- */

/* Attach a debugger to a domain: pauses it. One debugger per domain
 * (-EBUSY). Every other dbgctl_gdbg_* call needs the domain attached
 * (-EPERM); those that touch a vCPU need it paused (-EBUSY). */
int dbgctl_gdbg_attach(dbgctl *h, uint32_t domid);
/* Remove every host breakpoint and step, then let the domain run. */
int dbgctl_gdbg_detach(dbgctl *h, uint32_t domid);
/* Host breakpoint id (< DBGV_GDBG_MAX_BP) on one vCPU or on
 * DBGV_GDBG_ALL_VCPUS. type: enum dbgv_gdbg_bp_type; len 1, 2, 4, 8 (exec:
 * 1), addr a guest virtual address aligned to len. The guest's own debug
 * registers are untouched; beyond the free hardware slots the hypervisor
 * emulates breakpoints with nested paging. */
int dbgctl_gdbg_set_bp(dbgctl *h, uint32_t domid, uint32_t vcpu,
                       unsigned int id, unsigned int type, unsigned int len,
                       uint64_t addr);
int dbgctl_gdbg_clear_bp(dbgctl *h, uint32_t domid, uint32_t vcpu,
                         unsigned int id);
/* Execute one instruction of vcpu (the guest never sees the host's TF),
 * then a STEP_DONE event pauses the domain. flags: DBGV_GDBG_STEP_IRQS. */
int dbgctl_gdbg_step(dbgctl *h, uint32_t domid, uint32_t vcpu,
                     unsigned int flags);
/* Let the paused domain run until the next debug event. */
int dbgctl_gdbg_continue(dbgctl *h, uint32_t domid);
/* Stop the domain now (gdb's Ctrl-C). */
int dbgctl_gdbg_pause(dbgctl *h, uint32_t domid);
int dbgctl_gdbg_get_regs(dbgctl *h, uint32_t domid, uint32_t vcpu,
                         struct dbgv_gdbg_regs *out);
/* mask: bit n < 16 gpr[n], DBGV_GDBG_REG_RIP, DBGV_GDBG_REG_RFLAGS. */
int dbgctl_gdbg_set_regs(dbgctl *h, uint32_t domid, uint32_t vcpu,
                         uint32_t mask, const struct dbgv_gdbg_regs *in);
/* An AArch64 vCPU's registers (public/control.h): -ENOSYS from a hypervisor
 * without AArch64 domains, -EPROTO for a reply of another version or arch. */
int dbgctl_gdbg_get_regs_arm64(dbgctl *h, uint32_t domid, uint32_t vcpu,
                               struct dbgv_gdbg_regs_arm64 *out);
/* mask: bit n < 31 x[n], DBGV_GDBG_A64_*; vmask: bit n v[n]. */
int dbgctl_gdbg_set_regs_arm64(dbgctl *h, uint32_t domid, uint32_t vcpu, uint64_t mask,
                               uint32_t vmask, const struct dbgv_gdbg_regs_arm64 *in);
/* Guest memory; virt: addr is virtual, translated by vcpu's page tables
 * (-EFAULT if unmapped), else guest-physical. Any length. */
int dbgctl_gdbg_read(dbgctl *h, uint32_t domid, uint32_t vcpu, uint64_t addr,
                     bool virt, void *data, size_t len);
int dbgctl_gdbg_write(dbgctl *h, uint32_t domid, uint32_t vcpu,
                      uint64_t addr, bool virt, const void *data, size_t len);
/* The sequence number the next event of domid will have: pass it to
 * dbgctl_gdbg_wait() to see only what happens from now on. */
int dbgctl_gdbg_event_cursor(dbgctl *h, uint32_t domid, uint64_t *next);
/* Wait for the next BREAKPOINT, WATCHPOINT, STEP_DONE, or the end of the
 * domain (SHUTDOWN, CRASHED, DESTROYED) with seq >= *since; *since moves
 * past it. timeout_ms < 0 waits for ever; -ETIMEDOUT. Event fields: vcpu,
 * addr = rip, code = ids of the host breakpoints that hit, dr6 = the cause
 * in DR6 form (B0-B3 for ids 0-3, BS for a step), data = watched address. */
int dbgctl_gdbg_wait(dbgctl *h, uint32_t domid, uint64_t *since,
                     int timeout_ms, struct dbgv_ctl_event *ev);

/* ---- names ------------------------------------------------------------- */

const char *dbgctl_policy_name(unsigned int policy);   /* "adaptive" */
int dbgctl_policy_parse(const char *s);                 /* -EINVAL if unknown */
const char *dbgctl_unbacked_access_name(unsigned int mode);  /* "ignore" */
int dbgctl_unbacked_access_parse(const char *s);        /* -EINVAL if unknown */
const char *dbgctl_timer_mode_name(unsigned int mode);  /* "one_missed_tick_pending" */
int dbgctl_timer_mode_parse(const char *s);             /* 1-3; -EINVAL if unknown */
const char *dbgctl_domstate_name(unsigned int state);   /* "running" */
char dbgctl_domstate_letter(unsigned int state);        /* 'r' */
const char *dbgctl_vcpustate_name(unsigned int state);
const char *dbgctl_owner_name(unsigned int owner);      /* "free" */
const char *dbgctl_event_name(unsigned int type);
const char *dbgctl_shutdown_reason_name(unsigned int reason);  /* "reboot" */
const char *dbgctl_lazy_state_name(unsigned int state);  /* "passthrough" */

/* ---- domain builder (Xen's model: the toolstack loads the image) ------- */

struct dbgctl_build {
    const char *name;
    const void *image;         /* multiboot v1 ELF32/ELF64 image or Linux bzImage in memory */
    size_t      image_len;
    uint32_t    memory_mib;
    uint32_t    nr_vcpus;
    const char *cmdline;       /* NULL: empty */
    const char *kernel_path;   /* first word of the guest's command line; NULL: none */
    int         policy;        /* enum dbgv_debug_policy, -1: default */
    uint32_t    quiet_switches;/* 0: default */
    bool        paused;        /* leave it paused after loading */
    unsigned int unbacked_access; /* enum dbgv_unbacked_access, 0: ignore */
    unsigned int timer_mode;   /* enum dbgv_timer_mode, 0: default */
    const void *ramdisk;       /* Linux initrd, or a multiboot kernel's one module; NULL: none */
    size_t      ramdisk_len;
    const char *ramdisk_path;  /* the multiboot module's string (its file name); NULL: empty */
};
/* Read a whole file (the kernel image); *buf is malloc'd. */
int dbgctl_read_file(const char *path, void **buf, size_t *len);
/* Validate the image, create the domain, load segments (BSS zeroed) and a
 * multiboot info (mem_lower 640, mem_upper, cmdline, the ramdisk as its
 * one module, as QEMU's -initrd), set
 * EIP=entry, EBX=info, EAX=0x2BADB002 on vCPU 0 and unpause. A Linux
 * bzImage (told by its setup header) is loaded by the boot protocol instead
 * (kernel, ramdisk, boot_params, cmdline) and vCPU 0 starts at its 64-bit
 * entry (DBGV_VCPU_MODE_LINUX64) or 32-bit one. On failure the half-built
 * domain is destroyed and err (if not NULL) says why. */
int dbgctl_domain_build(dbgctl *h, const struct dbgctl_build *b,
                        uint32_t *domid, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
