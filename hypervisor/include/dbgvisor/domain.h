/* Domains and vCPUs: the arch-neutral view. */
#ifndef DBGVISOR_DOMAIN_H
#define DBGVISOR_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <dbgvisor/debug.h>
#include <dbgvisor/control.h>
#include <dbgvisor/page_alloc.h>
#include <dbgvisor/spinlock.h>

#define MAX_DOMAINS      64
#define MAX_VCPUS        DBGV_MAX_VCPUS_PER_DOMAIN
#define DOMAIN_NAME_LEN  32
#define DOMAIN_CMDLINE_LEN 256
#define DOMAIN_CONSOLE_SIZE (16 * 1024)

enum domain_state {
    DOMAIN_FREE = 0,
    DOMAIN_BUILDING,     /* created, not yet unpaused the first time */
    DOMAIN_ACTIVE,       /* running or blocked, see its vCPUs */
    DOMAIN_PAUSED,
    DOMAIN_SHUTDOWN,     /* exited through port 0xF4 or shutdown request */
    DOMAIN_CRASHED,
};

enum vcpu_state {
    VCPU_OFFLINE = 0,    /* AP waiting for INIT/SIPI, or domain ended */
    VCPU_RUNNABLE,
    VCPU_RUNNING,
    VCPU_BLOCKED,        /* HLT until an interrupt is due */
};

struct domain;

struct vcpu {
    struct domain *domain;
    unsigned id;
    volatile enum vcpu_state state;
    /* Loaded on a pCPU. Separate from state: a vCPU that just blocked in HLT
     * is still on its pCPU until the scheduler has put it away, and must not
     * be picked by another pCPU meanwhile. Changed under the scheduler lock. */
    volatile bool on_cpu;
    int on_pcpu;                    /* the pCPU that picked it, while on_cpu */
    int pcpu;                       /* pCPU it last entered guest mode on, -1 never */
    uint32_t hard_affinity;         /* pCPUs it may be picked on (bit n = pCPU n) */
    uint64_t cpu_time_ns;
    uint64_t slice_start_ns;
    uint64_t last_run_ns;           /* for round-robin ordering */
    struct arch_vcpu arch;
    struct dbg_vcpu dbg;
};

struct domain {
    uint16_t id;
    /* Changed only through the life-cycle state machine (domain.c), under lock. */
    volatile enum domain_state state;
    spinlock_t lock;
    char name[DOMAIN_NAME_LEN];
    char cmdline[DOMAIN_CMDLINE_LEN];
    int exit_code;
    uint8_t shutdown_reason;        /* enum dbgv_shutdown_reason, once SHUTDOWN or CRASHED */
    volatile uint8_t shutdown_request; /* 0, or 1 + the reason `xl shutdown` asked for */
    char crash_reason[96];
    bool end_reported;      /* its end lines are out: the machine may exit after it */
    uint64_t mem_bytes;
    uint64_t ram_hpa;               /* host-physical base of the contiguous RAM */
    struct palloc_owner pages;      /* RAM + overhead (NPT tables, VMCBs, XSAVE areas) */
    unsigned nr_vcpus;
    struct vcpu *vcpus[MAX_VCPUS];
    uint8_t debug_policy;           /* enum dbgv_debug_policy */
    uint8_t unbacked_access;        /* enum dbgv_unbacked_access */
    uint64_t unbacked_accesses;     /* guest accesses to unbacked GPAs (mmio.c) */
    uint64_t reexecuted_insns;      /* intercepts whose instruction changed before its decode */
    uint32_t quiet_switches;
    uint64_t created_ns;
    struct arch_domain arch;
    struct ctl_ring console;      /* guest UART output, read by `xl console` */
    spinlock_t console_lock;        /* console, line and line_len */
    char console_buf[DOMAIN_CONSOLE_SIZE];
    char line[160];                 /* console line being assembled for the log */
    unsigned line_len;
};

extern struct domain domains[MAX_DOMAINS];
extern spinlock_t domains_lock;

struct domain_config {
    const char *name;
    uint64_t mem_bytes;
    unsigned vcpus;
    uint8_t debug_policy;
    uint8_t unbacked_access;        /* enum dbgv_unbacked_access */
    uint32_t quiet_switches;
    const char *cmdline;
};

/* Allocates memory and vCPUs; the domain stays paused until domain_unpause.
 * Returns 0 or -DBGV_EINVAL (bad name, vCPUs, size or policy), -DBGV_EEXIST
 * (name in use), -DBGV_ENOSPC (no domain slot), -DBGV_ENOMEM (over 3 GiB or
 * memory short). */
int domain_create(const struct domain_config *cfg, struct domain **out);
struct domain *domain_by_id(unsigned id);
/* A new name, unique among live domains: 0, -DBGV_EINVAL or -DBGV_EEXIST. */
int domain_rename(struct domain *d, const char *name);
/* ACTIVE -> PAUSED; returns once no vCPU of d is on a pCPU. -1 if d is not
 * running (not started, or ended). */
int domain_pause(struct domain *d);
/* For editing a stopped domain's vCPUs or memory: 0 once d is PAUSED or not
 * started and none of its vCPUs is on a pCPU (a debug event pauses from a vCPU,
 * which leaves its pCPU a moment later); -1 if it runs or has ended. */
int domain_wait_stopped(struct domain *d);
/* Pause from one of the domain's own vCPUs (a debug event): does not wait. */
void domain_pause_from_vcpu(struct domain *d);
int domain_unpause(struct domain *d);
/* Ends a domain: state SHUTDOWN with code (domain_shutdown: poweroff; a reset
 * or a reboot request gives DBGV_SHUTDOWN_REBOOT), or CRASHED with a reason. */
void domain_shutdown(struct domain *d, int code);
void domain_shutdown_reason(struct domain *d, enum dbgv_shutdown_reason why, int code);
/* Ask the guest to shut down (reason: enum dbgv_shutdown_reason); it reads the request at
 * the shutdown-request port and ends itself with its own exit code. */
void domain_request_shutdown(struct domain *d, unsigned reason);
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int domain_destroy(struct domain *d);
bool domain_is_ended(const struct domain *d);
/* Guest console output (from the virtual UART). */
void domain_console_putc(struct domain *d, char c);
/* Guest console input (arch: the UART's receiver, hvm/com1.c): bytes beyond
 * the receiver's room are lost with an overrun, as on hardware. Returns the
 * bytes taken; *room is what the receiver can take now (flow control). */
uint32_t domain_console_input(struct domain *d, const void *buf, uint32_t len, uint32_t *room);
/* Copies to/from guest-physical memory; -1 if outside the domain's RAM. */
int domain_write_gpa(struct domain *d, uint64_t gpa, const void *src, uint64_t len);
int domain_read_gpa(struct domain *d, uint64_t gpa, void *dst, uint64_t len);
void *domain_gpa_to_hva(struct domain *d, uint64_t gpa, uint64_t len);

#endif
