/*
 * dbgvisor public ABI: the control protocol between the toolstack (host)
 * and the hypervisor, carried over a byte stream (COM2 backed by a unix
 * socket). See docs/protocol.md.
 *
 * Every value is little-endian. Fixed-width types, explicit padding, every
 * struct a multiple of 8 bytes; reserved fields must be zero and are checked.
 * Bump DBGV_CTL_VERSION on any incompatible change; compatible additions
 * (new message types, new fields carved out of "reserved") keep it.
 */
#ifndef DBGVISOR_PUBLIC_CONTROL_H
#define DBGVISOR_PUBLIC_CONTROL_H

#include <stdint.h>
#include "debug.h"

#define DBGV_CTL_VERSION     2   /* 2: dbgv_ctl_dominfo.reexecuted_insns */
#define DBGV_CTL_MAGIC       0x56474244u  /* "DBGV" as bytes on the wire */

/* Largest payload either side sends or accepts. */
#define DBGV_CTL_MAX_PAYLOAD 8192u
/* Largest guest-memory chunk per MEM_WRITE/MEM_READ. */
#define DBGV_CTL_MEM_CHUNK   4096u
#define DBGV_CTL_NAME_LEN    64          /* domain name, NUL included */

/*
 * Frame header: 32 bytes, followed by `len` payload bytes.
 * hdr_crc covers bytes 0..27 of the header, so a corrupted length is caught
 * before any payload is consumed; payload_crc covers the payload (CRC-32,
 * IEEE 802.3, as zlib's crc32()). The receiver resynchronises on the next
 * magic after any bad frame.
 */
struct dbgv_ctl_hdr {
    uint32_t magic;       /* DBGV_CTL_MAGIC */
    uint16_t version;     /* DBGV_CTL_VERSION */
    uint16_t type;        /* DBGV_CTL_MSG_*, | DBGV_CTL_REPLY in replies */
    uint32_t seq;         /* chosen by the client, echoed in the reply */
    uint32_t len;         /* payload bytes, <= DBGV_CTL_MAX_PAYLOAD */
    int32_t  status;      /* replies: 0 or -DBGV_E*; requests: 0 */
    uint32_t flags;       /* reserved, 0 */
    uint32_t payload_crc; /* CRC-32 of the payload (0 bytes: 0) */
    uint32_t hdr_crc;     /* CRC-32 of bytes 0..27 of this header */
};
#define DBGV_CTL_HDR_SIZE      32u
#define DBGV_CTL_HDR_CRC_SPAN  28u
#define DBGV_CTL_MAX_FRAME     (DBGV_CTL_HDR_SIZE + DBGV_CTL_MAX_PAYLOAD)

/* Status codes: negated in hdr.status. Values equal Linux errno values so a
 * hosted client can hand them to strerror() directly. */
#define DBGV_EPERM      1
#define DBGV_ENOENT     2
#define DBGV_ESRCH      3   /* no such domain or vCPU */
#define DBGV_EIO        5
#define DBGV_E2BIG      7
#define DBGV_EAGAIN    11
#define DBGV_ENOMEM    12
#define DBGV_EFAULT    14   /* guest address outside the domain's memory */
#define DBGV_EBUSY     16
#define DBGV_EEXIST    17   /* domain name in use */
#define DBGV_EINVAL    22   /* a field failed validation */
#define DBGV_ENOSPC    28
#define DBGV_ERANGE    34
#define DBGV_ENOSYS    38   /* unknown message type */
#define DBGV_EPROTO    71   /* wrong protocol version, reserved bits set */
#define DBGV_EBADMSG   74   /* bad CRC or length/payload mismatch */
#define DBGV_EMSGSIZE  90   /* frame larger than DBGV_CTL_MAX_PAYLOAD */
#define DBGV_EOPNOTSUPP 95

/* ---------------------------------------------------------------------
 * Message types. A reply has the request's type | DBGV_CTL_REPLY.
 *   0x0001-0x00ff  control plane (this header)
 *   0x0100-0x01ff  reserved: guest debugging (issue 5, see below)
 *   0x0200-0x7ffe  reserved for future use
 *   0x7fff         ERROR: reply to a frame that could not be parsed
 * ------------------------------------------------------------------- */
#define DBGV_CTL_REPLY                 0x8000u
enum dbgv_ctl_msg {
    DBGV_CTL_MSG_HELLO              = 0x0001,
    DBGV_CTL_MSG_PHYSINFO           = 0x0002,

    DBGV_CTL_MSG_DOMAIN_LIST        = 0x0010,
    DBGV_CTL_MSG_DOMAIN_INFO        = 0x0011,
    DBGV_CTL_MSG_DOMAIN_CREATE      = 0x0012,
    DBGV_CTL_MSG_DOMAIN_PAUSE       = 0x0013,
    DBGV_CTL_MSG_DOMAIN_UNPAUSE     = 0x0014,
    DBGV_CTL_MSG_DOMAIN_DESTROY     = 0x0015,
    DBGV_CTL_MSG_DOMAIN_SHUTDOWN    = 0x0016,
    DBGV_CTL_MSG_MEM_WRITE          = 0x0017,
    DBGV_CTL_MSG_MEM_READ           = 0x0018,
    DBGV_CTL_MSG_VCPU_SET_REGS      = 0x0019,
    DBGV_CTL_MSG_DOMAIN_RENAME      = 0x001a,
    DBGV_CTL_MSG_DOMAIN_MEMINFO     = 0x001b,

    DBGV_CTL_MSG_VCPU_LIST          = 0x0020,
    DBGV_CTL_MSG_VCPU_SET_AFFINITY  = 0x0021,

    DBGV_CTL_MSG_CONSOLE_READ       = 0x0030,
    DBGV_CTL_MSG_HVLOG_READ         = 0x0031,
    DBGV_CTL_MSG_CONSOLE_WRITE      = 0x0032,
    DBGV_CTL_MSG_HVLOG_CLEAR        = 0x0033,
    DBGV_CTL_MSG_DEBUG_KEYS         = 0x0034,

    DBGV_CTL_MSG_DEBUG_STATE_GET    = 0x0040,
    DBGV_CTL_MSG_DEBUG_POLICY_SET   = 0x0041,
    DBGV_CTL_MSG_DEBUG_STATE_LIST   = 0x0042,
    DBGV_CTL_MSG_DEBUG_SUMMARY_LIST = 0x0043,

    DBGV_CTL_MSG_EVENTS_READ        = 0x0050,

    DBGV_CTL_MSG_SCHED_PARAMS       = 0x0060,

    /* Reserved for guest debugging (issue 5): values fixed now so that
     * clients and hypervisor agree; until implemented they answer ENOSYS. */
    DBGV_CTL_MSG_GDBG_FIRST         = 0x0100,
    DBGV_CTL_MSG_GDBG_ATTACH        = 0x0100,
    DBGV_CTL_MSG_GDBG_DETACH        = 0x0101,
    DBGV_CTL_MSG_GDBG_SET_BP        = 0x0102, /* exec bp or watchpoint */
    DBGV_CTL_MSG_GDBG_CLEAR_BP      = 0x0103,
    DBGV_CTL_MSG_GDBG_STEP          = 0x0104,
    DBGV_CTL_MSG_GDBG_CONTINUE      = 0x0105,
    DBGV_CTL_MSG_GDBG_GET_REGS      = 0x0106,
    DBGV_CTL_MSG_GDBG_SET_REGS      = 0x0107,
    DBGV_CTL_MSG_GDBG_READ_GPA      = 0x0108,
    DBGV_CTL_MSG_GDBG_WRITE_GPA     = 0x0109,
    DBGV_CTL_MSG_GDBG_READ_GVA      = 0x010a,
    DBGV_CTL_MSG_GDBG_WRITE_GVA     = 0x010b,
    DBGV_CTL_MSG_GDBG_GET_REGS_ARM64 = 0x010c, /* an AArch64 vCPU's registers */
    DBGV_CTL_MSG_GDBG_SET_REGS_ARM64 = 0x010d,
    DBGV_CTL_MSG_GDBG_LAST          = 0x01ff,

    DBGV_CTL_MSG_ERROR              = 0x7fff,
};

/* The scheduler ("rr": fair round-robin over all pCPUs) runs a vCPU for at
 * most one time slice before the next runnable one: this long at boot,
 * SCHED_PARAMS reads and sets it. */
#define DBGV_SCHED_SLICE_NS 12000000ull  /* 12 ms */

#define DBGV_DOMID_SELF   0u           /* Domain-0: the control domain */
#define DBGV_DOMID_ANY    0xffffffffu  /* event filter: every domain */
#define DBGV_DOMID_MAX    0x7fef       /* like Xen's DOMID_FIRST_RESERVED - 1 */

/* ERROR (0x7fff | REPLY): hdr.status carries the code. */
struct dbgv_ctl_error {
    uint16_t bad_type;   /* type of the offending frame, if its header was intact */
    uint16_t pad;
    uint32_t bad_seq;
};

/* HELLO: request and reply. */
struct dbgv_ctl_hello_req {
    uint32_t client_version;  /* DBGV_CTL_VERSION the client speaks */
    uint32_t flags;           /* reserved, 0 */
    char     client[32];      /* free text, NUL-terminated, for the hv log */
};
struct dbgv_ctl_hello_rep {
    uint32_t version;         /* protocol version spoken */
    uint32_t max_payload;     /* DBGV_CTL_MAX_PAYLOAD */
    uint32_t debug_abi;       /* DBGV_DEBUG_ABI_VERSION */
    uint32_t features;        /* DBGV_CTL_F_* */
    char     hv_version[32];  /* e.g. "dbgvisor 0.1" */
};
#define DBGV_CTL_F_GUEST_DEBUG (1u << 0)  /* GDBG_* implemented */
#define DBGV_CTL_F_DEBUG_STATE_LIST (1u << 1)  /* DEBUG_STATE_LIST implemented */
#define DBGV_CTL_F_DEBUG_SUMMARY_LIST (1u << 2) /* DEBUG_SUMMARY_LIST implemented */

/* PHYSINFO: empty request. */
struct dbgv_ctl_physinfo {
    uint32_t nr_cpus;
    uint32_t max_cpu_id;
    uint32_t cpu_khz;         /* 0 if unknown */
    uint32_t nr_domains;      /* including Domain-0 */
    uint64_t total_mem;       /* bytes of RAM managed by the hypervisor */
    uint64_t free_mem;        /* bytes available for new domains */
    uint64_t uptime_ns;
    uint16_t hv_major;
    uint16_t hv_minor;
    uint32_t caps;            /* DBGV_CAP_* */
    char     hv_version[32];  /* "dbgvisor 0.1-rc" free text */
    char     hv_extra[32];    /* build info */
};
#define DBGV_CAP_HVM   (1u << 0)
#define DBGV_CAP_HAP   (1u << 1)   /* NPT */
/* The platform keeps reserved DR6/DR7 bits as a guest writes them (the boot
 * probe found QEMU TCG's behaviour; docs/architecture.md). */
#define DBGV_CAP_DR_RESERVED_KEPT (1u << 2)
/* Untrapped guests' writes of DR4-DR7 exit so that the hypervisor applies
 * the masks: the probe found the quirk, or the dr_write_exits=on boot option. */
#define DBGV_CAP_DR_WRITE_EXITS   (1u << 3)
/* The hypervisor runs on AArch64 (EL2 on QEMU virt); clear: x86-64. Its
 * domains' debug state is arm64's (public/debug.h, DBGV_ARCH_ARM64). */
#define DBGV_CAP_ARCH_ARM64       (1u << 4)

/* Domain states (xl letters r b p s c d). */
enum dbgv_dom_state {
    DBGV_DOMSTATE_RUNNING  = 0,
    DBGV_DOMSTATE_BLOCKED  = 1,
    DBGV_DOMSTATE_PAUSED   = 2,
    DBGV_DOMSTATE_SHUTDOWN = 3,
    DBGV_DOMSTATE_CRASHED  = 4,
    DBGV_DOMSTATE_DYING    = 5,
    DBGV_DOMSTATE_COUNT    = 6,
};

/* Shutdown reasons, values as Xen's SHUTDOWN_*. */
enum dbgv_shutdown_reason {
    DBGV_SHUTDOWN_POWEROFF = 0,
    DBGV_SHUTDOWN_REBOOT   = 1,
    DBGV_SHUTDOWN_SUSPEND  = 2,
    DBGV_SHUTDOWN_CRASH    = 3,
    DBGV_SHUTDOWN_WATCHDOG = 4,
};

/* What a guest access to a guest-physical address with nothing behind it
 * (no RAM, no device) does. */
enum dbgv_unbacked_access {
    DBGV_UNBACKED_IGNORE = 0, /* as hardware: reads all-ones, writes dropped, fetch #UD */
    DBGV_UNBACKED_CRASH  = 1, /* the domain crashes */
    DBGV_UNBACKED_COUNT
};

struct dbgv_ctl_dominfo {
    uint32_t domid;
    uint8_t  state;           /* enum dbgv_dom_state */
    uint8_t  debug_policy;    /* enum dbgv_debug_policy */
    uint8_t  shutdown_reason; /* valid in SHUTDOWN/CRASHED */
    uint8_t  unbacked_access; /* enum dbgv_unbacked_access */
    int32_t  exit_code;       /* value written to port 0xF4, valid in SHUTDOWN */
    uint32_t nr_vcpus;
    uint64_t mem_bytes;       /* current allocation */
    uint64_t max_mem_bytes;
    uint64_t cpu_time_ns;     /* summed over vCPUs */
    uint32_t quiet_switches;  /* adaptive policy threshold */
    uint32_t unbacked_accesses; /* guest accesses to unbacked GPAs (saturates) */
    uint32_t reexecuted_insns;  /* intercepted instructions rewritten before their
                                   decode and re-executed (saturates; since version 2) */
    uint32_t uptime_s;          /* seconds since the domain was created (Domain-0:
                                   since the hypervisor started); 0 from older servers */
    char     name[DBGV_CTL_NAME_LEN];
};

/* Requests that name only a domain: DOMAIN_INFO, PAUSE, UNPAUSE, DESTROY. */
struct dbgv_ctl_domid {
    uint32_t domid;
    uint32_t pad;
};

/* DOMAIN_LIST: domains with domid >= start_domid, ascending, at most max. */
struct dbgv_ctl_list_req {
    uint32_t domid;           /* DOMAIN_LIST: start_domid; else the domain */
    uint32_t start;           /* VCPU_LIST/DEBUG_STATE_GET: first vCPU */
    uint32_t max;             /* entries wanted (clamped to what fits) */
    uint32_t pad;
};
/* Reply header for list replies; entries follow. */
struct dbgv_ctl_list_rep {
    uint32_t total;           /* entries that exist */
    uint32_t count;           /* entries in this reply */
};
#define DBGV_CTL_LIST_MAX(entry) \
    ((DBGV_CTL_MAX_PAYLOAD - sizeof(struct dbgv_ctl_list_rep)) / sizeof(entry))

/* vCPUs a domain may have (the hypervisor's limit; xl.cfg's vcpus and
 * maxvcpus are checked against it). */
#define DBGV_MAX_VCPUS_PER_DOMAIN 8

/* DOMAIN_CREATE: reply is struct dbgv_ctl_domid. The domain is created
 * paused, with zeroed memory; the toolstack loads it and unpauses. */
struct dbgv_ctl_domain_create {
    char     name[DBGV_CTL_NAME_LEN]; /* NUL-terminated, [A-Za-z0-9_.-]+ */
    uint32_t memory_mib;      /* >= 1 */
    uint32_t nr_vcpus;        /* 1..DBGV_MAX_VCPUS_PER_DOMAIN */
    uint8_t  debug_policy;    /* enum dbgv_debug_policy */
    uint8_t  unbacked_access; /* enum dbgv_unbacked_access (0 from older clients) */
    uint8_t  timer_mode;      /* enum dbgv_timer_mode (0 from older clients) */
    uint8_t  pad[1];
    uint32_t quiet_switches;  /* 0: default */
};

/* What the virtual PIT does with the ticks a vCPU could not take in time
 * (descheduled, interrupts off): Xen's xl.cfg timer_mode, 1-3 numbered as
 * Xen's HVMPTM_*. Xen's 0, delay_for_missed_ticks (guest time held back),
 * is not offered: guest time is the host's TSC; 0 here is the default. */
enum dbgv_timer_mode {
    DBGV_TIMER_MODE_DEFAULT                   = 0, /* no_delay_for_missed_ticks */
    DBGV_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS = 1, /* every missed tick, one per EOI */
    DBGV_TIMER_MODE_NO_MISSED_TICKS_PENDING   = 2, /* missed ticks dropped */
    DBGV_TIMER_MODE_ONE_MISSED_TICK_PENDING   = 3, /* missed ticks merged into one */
    DBGV_TIMER_MODE_COUNT
};

/* DOMAIN_SHUTDOWN */
struct dbgv_ctl_domain_shutdown {
    uint32_t domid;
    uint32_t reason;          /* enum dbgv_shutdown_reason, | DBGV_SHUTDOWN_F_NOW */
};
/* End the domain for that reason now (a held power button, a reset) instead
 * of asking the guest: `xl shutdown/reboot -F` once the guest did not act. */
#define DBGV_SHUTDOWN_F_NOW 0x100u

/* MEM_WRITE: header then `len` bytes. MEM_READ: header only, reply is the
 * bytes. gpa + len must lie inside the domain's memory. */
struct dbgv_ctl_mem {
    uint32_t domid;
    uint32_t len;             /* <= DBGV_CTL_MEM_CHUNK */
    uint64_t gpa;
};

/* VCPU_SET_REGS: set the registers the vCPU starts with (vCPU paused). */
struct dbgv_ctl_vcpu_regs {
    uint32_t domid;
    uint32_t vcpu;
    uint32_t mask;            /* DBGV_REG_* bits: which fields to set */
    uint32_t mode;            /* DBGV_VCPU_MODE_* */
    uint64_t rip;             /* arm64: PC */
    union {
        struct {              /* x86 modes */
            uint64_t rflags, rsp, rbp;
            uint64_t rax, rbx, rcx, rdx, rsi, rdi;
        };
        struct {              /* DBGV_VCPU_MODE_ARM64_LINUX: boot data the
                                 toolstack wrote into the domain's RAM, for
                                 its device tree's /chosen */
            uint64_t cmdline_ipa;   /* DBGV_REG_ARM64_CMDLINE: a NUL-terminated
                                       string of < DBGV_CTL_CMDLINE_MAX bytes */
            uint64_t initrd_start;  /* DBGV_REG_ARM64_INITRD: [start, end) */
            uint64_t initrd_end;
            uint64_t arm64_pad[6];  /* 0 */
        };
    };
};
#define DBGV_REG_RIP    (1u << 0)
#define DBGV_REG_RFLAGS (1u << 1)
#define DBGV_REG_RSP    (1u << 2)
#define DBGV_REG_RBP    (1u << 3)
#define DBGV_REG_RAX    (1u << 4)
#define DBGV_REG_RBX    (1u << 5)
#define DBGV_REG_RCX    (1u << 6)
#define DBGV_REG_RDX    (1u << 7)
#define DBGV_REG_RSI    (1u << 8)
#define DBGV_REG_RDI    (1u << 9)
#define DBGV_REG_ALL    0x3ffu
/* DBGV_VCPU_MODE_ARM64_LINUX only, beside DBGV_REG_RIP (required there). */
#define DBGV_REG_ARM64_CMDLINE (1u << 10)
#define DBGV_REG_ARM64_INITRD  (1u << 11)
#define DBGV_REG_ARM64_ALL     (DBGV_REG_RIP | DBGV_REG_ARM64_CMDLINE | DBGV_REG_ARM64_INITRD)
#define DBGV_CTL_CMDLINE_MAX   256   /* with its NUL (the domain's command line) */
#define DBGV_VCPU_MODE_KEEP  0    /* leave the segment/mode state as is */
#define DBGV_VCPU_MODE_PM32  1    /* multiboot: 32-bit flat, paging off, IF=0 */
/* The Linux 64-bit boot protocol state as the shared bzImage loader lays it
 * out (dbgvisor/bzimage.h): long mode, paging on at CR3 = 0x2000, GDT at
 * 0x1000 (limit 31), CS 0x10 (flat, L=1), DS/ES/SS/FS/GS 0x18, IF=0; the
 * masked registers (RIP, RSI = boot_params) are set after it. */
#define DBGV_VCPU_MODE_LINUX64 2
/* arm64 (the only mode there): the Linux arm64 boot state of QEMU virt,
 * vCPU out of reset at EL1h, MMU off, DAIF masked, x0 = the IPA of the
 * device tree the hypervisor writes for the domain (the last 2 MiB of its
 * RAM, as for a boot-time domain), x1-x3 = 0, PC = rip (DBGV_REG_RIP, which
 * the mask must name). With DBGV_REG_ARM64_CMDLINE the string at cmdline_ipa
 * becomes the domain's command line (/chosen bootargs; read before the tree
 * is written, so it may lie where the tree goes), with DBGV_REG_ARM64_INITRD
 * [initrd_start, initrd_end) its ramdisk (linux,initrd-start/end), which
 * must lie in its RAM below the tree. */
#define DBGV_VCPU_MODE_ARM64_LINUX 3
#define DBGV_VCPU_MODE_LAST  DBGV_VCPU_MODE_ARM64_LINUX

/* VCPU_LIST: request dbgv_ctl_list_req, reply list_rep + entries. */
enum dbgv_vcpu_state {
    DBGV_VCPUSTATE_RUNNING = 0,   /* on a pCPU now */
    DBGV_VCPUSTATE_RUNNABLE = 1,
    DBGV_VCPUSTATE_BLOCKED = 2,   /* HLT */
    DBGV_VCPUSTATE_PAUSED  = 3,
    DBGV_VCPUSTATE_OFFLINE = 4,   /* not started (no SIPI yet) or down */
};
struct dbgv_ctl_vcpuinfo {
    uint32_t vcpu;
    uint8_t  state;           /* enum dbgv_vcpu_state */
    uint8_t  pad[3];
    int32_t  pcpu;            /* current or last pCPU, -1 if never run */
    uint32_t hard_affinity;   /* pCPUs it may run on, bit n = pCPU n (0 from older
                                 servers: unknown, every pCPU) */
    uint64_t cpu_time_ns;
    uint64_t rip;
};

/* VCPU_SET_AFFINITY: the pCPUs one vCPU (or every vCPU of the domain) may
 * run on, as Xen's hard affinity. cpumap must be non-empty and name only
 * pCPUs that exist (-EINVAL otherwise); a vCPU on a pCPU outside it leaves
 * that pCPU at once. */
struct dbgv_ctl_vcpu_affinity {
    uint32_t domid;
    uint32_t vcpu;            /* a vCPU or DBGV_VCPU_ALL */
    uint32_t cpumap;          /* bit n = pCPU n */
    uint32_t pad;
};
#define DBGV_VCPU_ALL 0xffffffffu

/* DOMAIN_MEMINFO (request dbgv_ctl_domid): where a domain's memory is. Every
 * page of the hypervisor's allocator is charged to a domain or to the
 * hypervisor, so PHYSINFO's free_mem plus every domain's ram_bytes +
 * overhead_bytes (Domain-0 included) is total_mem. */
struct dbgv_ctl_meminfo {
    uint32_t domid;
    uint32_t pad;             /* 0 */
    uint64_t ram_bytes;       /* the guest's RAM (Domain-0: 0) */
    uint64_t overhead_bytes;  /* beyond RAM: NPT tables, one VMCB and one XSAVE area
                                 per vCPU; Domain-0: the hypervisor's own pages */
};

/* DOMAIN_RENAME: a guest domain takes a new name, unique among the live
 * domains (-EEXIST otherwise), same rules as DOMAIN_CREATE's. */
struct dbgv_ctl_domain_rename {
    uint32_t domid;
    uint32_t pad;
    char     name[DBGV_CTL_NAME_LEN];
};

/* HVLOG_CLEAR: empty request. Discards what the hypervisor log holds, as
 * Xen's `xl dmesg -c`: later reads start after it (a reader behind is told
 * the cleared bytes as lost). */

/* DEBUG_KEYS: header then `len` key characters, handled in order as Xen's
 * debug keys; what they print goes to the hypervisor log. 'h' lists them. */
struct dbgv_ctl_debug_keys {
    uint32_t len;             /* 1..DBGV_CTL_DEBUG_KEYS_MAX */
    uint32_t pad;
};
#define DBGV_CTL_DEBUG_KEYS_MAX 64

/* SCHED_PARAMS: request and reply. The reply has the values in force (after
 * the request's change, if any). With DBGV_SCHED_F_SET_TSLICE the time slice
 * becomes tslice_us, within Xen's credit limits (1 ms .. 1 s; -EINVAL else).
 * Without it tslice_us must be 0. */
struct dbgv_ctl_sched_params {
    uint32_t flags;           /* DBGV_SCHED_F_* */
    uint32_t tslice_us;
};
#define DBGV_SCHED_F_SET_TSLICE  (1u << 0)
#define DBGV_SCHED_TSLICE_MIN_US 1000u
#define DBGV_SCHED_TSLICE_MAX_US 1000000u

/* CONSOLE_READ (per domain) and HVLOG_READ (domid ignored): rings addressed
 * by absolute byte offset since the ring was created, so a reader that
 * passes back next_offset neither loses nor duplicates output. If the
 * requested offset was already overwritten, the reply starts at the oldest
 * byte still held and `lost` says how many were skipped. */
struct dbgv_ctl_ring_req {
    uint32_t domid;
    uint32_t max;             /* bytes wanted, clamped to the payload room */
    uint64_t offset;
};
struct dbgv_ctl_ring_rep {
    uint64_t offset;          /* offset of the first byte returned */
    uint64_t next_offset;     /* pass this back next time */
    uint64_t lost;            /* bytes overwritten before they could be read */
    uint64_t end;             /* producer offset: bytes written so far */
    uint32_t len;             /* bytes that follow */
    uint32_t pad;
};
#define DBGV_CTL_RING_MAX_READ \
    (DBGV_CTL_MAX_PAYLOAD - sizeof(struct dbgv_ctl_ring_rep))

/* CONSOLE_WRITE: console input, header then `len` bytes for the domain's
 * COM1 receiver (its 16-byte FIFO, or the holding register while the guest
 * has the FIFO off). Bytes beyond the receiver's room are lost with LSR.OE
 * set, as on hardware when a sender ignores flow control; a sender that
 * wants no loss sends at most `room` bytes, and len 0 only asks for it. */
struct dbgv_ctl_console_write {
    uint32_t domid;
    uint32_t len;             /* 0..DBGV_CTL_CONSOLE_WRITE_MAX */
};
struct dbgv_ctl_console_write_rep {
    uint32_t accepted;        /* bytes the receiver took (the rest overran) */
    uint32_t room;            /* bytes it can take now without overrun */
};
#define DBGV_CTL_CONSOLE_WRITE_MAX 256

/* DEBUG_STATE_GET: request dbgv_ctl_list_req, reply list_rep followed by
 * struct dbgv_vcpu_debug_state[count] (public/debug.h). */

/* DEBUG_STATE_LIST: every vCPU of every domain in one round trip (a monitor
 * polling 64 domains would otherwise pay 64). Request dbgv_ctl_list_req
 * with domid, start = the first (domain, vCPU) wanted; reply list_rep
 * (total = entries from that point on) followed by entries in (domid, vCPU)
 * order. The next page starts after the last entry's (domid, vcpu_id). */
struct dbgv_ctl_dom_debug_state {
    uint32_t domid;
    uint32_t pad;
    struct dbgv_vcpu_debug_state st;
};

/* DEBUG_SUMMARY_LIST (debug ABI 3): as DEBUG_STATE_LIST, paged the same
 * way, but each entry is a struct dbgv_vcpu_debug_summary (public/debug.h,
 * 96 bytes, domid first): 85 vCPUs per reply where DEBUG_STATE_LIST's
 * 776-byte entries fit 10. */

/* DEBUG_POLICY_SET */
struct dbgv_ctl_debug_policy {
    uint32_t domid;
    uint8_t  policy;          /* enum dbgv_debug_policy */
    uint8_t  pad[3];
    uint32_t quiet_switches;  /* valid with DBGV_POLICY_F_QUIET */
    uint32_t flags;
};
#define DBGV_POLICY_F_QUIET (1u << 0)

/* EVENTS_READ: events with seq >= since_seq, oldest first. Sequence numbers
 * start at 1 and never repeat; a client remembers next_seq and passes it
 * back after reconnecting. */
struct dbgv_ctl_events_req {
    uint64_t since_seq;
    uint32_t domid;           /* DBGV_DOMID_ANY or one domain */
    uint32_t max;
};
struct dbgv_ctl_events_rep {
    uint64_t first_seq;       /* oldest event still queued */
    uint64_t next_seq;        /* pass back as since_seq */
    uint64_t lost;            /* events dropped before since_seq could see them */
    uint32_t count;
    uint32_t pad;
};
enum dbgv_event_type {
    DBGV_EV_BREAKPOINT      = 1,  /* addr = rip, dr6 = cause */
    DBGV_EV_WATCHPOINT      = 2,  /* addr = rip, dr6 = cause, data = address */
    DBGV_EV_STEP_DONE       = 3,  /* addr = rip */
    DBGV_EV_DOMAIN_CRASHED  = 4,  /* code = -1, data = DBGV_SHUTDOWN_CRASH */
    DBGV_EV_DOMAIN_SHUTDOWN = 5,  /* code = exit code, data = enum dbgv_shutdown_reason */
    DBGV_EV_DOMAIN_CREATED  = 6,
    DBGV_EV_DOMAIN_DESTROYED = 7,
};
struct dbgv_ctl_event {
    uint64_t seq;
    uint64_t time_ns;         /* hypervisor uptime */
    uint32_t domid;
    uint32_t vcpu;
    uint16_t type;            /* enum dbgv_event_type */
    uint16_t pad;
    int32_t  code;
    uint64_t addr;
    uint64_t dr6;
    uint64_t data;
};
#define DBGV_CTL_EVENTS_MAX \
    ((DBGV_CTL_MAX_PAYLOAD - sizeof(struct dbgv_ctl_events_rep)) / \
     sizeof(struct dbgv_ctl_event))

/* ---------------------------------------------------------------------
 * Guest debugging (0x0100-0x01ff, docs/guest-debug.md).
 * A debugger ATTACHes to a domain (which pauses it), sets host breakpoints
 * and watchpoints, STEPs one vCPU or CONTINUEs the domain, and waits for
 * BREAKPOINT / WATCHPOINT / STEP_DONE events (EVENTS_READ): each event
 * pauses the whole domain again. Every request but ATTACH needs the
 * domain attached (-EPERM otherwise); requests that change a vCPU need it
 * paused (-EBUSY). The guest keeps its own debug registers untouched.
 * ATTACH, DETACH and CONTINUE take struct dbgv_ctl_domid.
 * ------------------------------------------------------------------- */
#define DBGV_GDBG_MAX_BP      8            /* host breakpoint ids 0..7 */
#define DBGV_GDBG_ALL_VCPUS   0xffffffffu  /* SET_BP/CLEAR_BP: every vCPU */

enum dbgv_gdbg_bp_type {
    DBGV_GDBG_BP_EXEC  = 0,   /* execution breakpoint, len 1 */
    DBGV_GDBG_BP_WRITE = 1,   /* write watchpoint */
    DBGV_GDBG_BP_READ  = 2,   /* read watchpoint: x86 has none; hardware
                                 watches reads and writes, writes that do
                                 not read are filtered out by the stub */
    DBGV_GDBG_BP_RW    = 3,   /* read/write watchpoint */
};

/* SET_BP and CLEAR_BP (CLEAR_BP: type, len and addr must be 0). Addresses
 * are guest linear (virtual) addresses; len 1, 2, 4 or 8, addr aligned to
 * len; execution breakpoints have len 1. */
struct dbgv_ctl_gdbg_bp {
    uint32_t domid;
    uint32_t vcpu;            /* a vCPU or DBGV_GDBG_ALL_VCPUS */
    uint32_t id;              /* < DBGV_GDBG_MAX_BP */
    uint8_t  type;            /* enum dbgv_gdbg_bp_type */
    uint8_t  len;
    uint16_t pad;
    uint64_t addr;
};

/* STEP: execute exactly one instruction of this vCPU, then report
 * STEP_DONE and pause the domain. The other vCPUs run meanwhile. */
struct dbgv_ctl_gdbg_step {
    uint32_t domid;
    uint32_t vcpu;
    uint32_t flags;           /* DBGV_GDBG_STEP_* */
    uint32_t pad;
};
#define DBGV_GDBG_STEP_IRQS (1u << 0)  /* let interrupts in while stepping */

/* GET_REGS request: which vCPU. */
struct dbgv_ctl_gdbg_vcpu {
    uint32_t domid;
    uint32_t vcpu;
};

/* GET_REGS reply and SET_REGS payload. */
struct dbgv_gdbg_regs {
    uint64_t gpr[16];         /* x86 numbering: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
    uint64_t rip;
    uint64_t rflags;          /* as the guest sees it (no host TF) */
    uint64_t cr0, cr2, cr3, cr4, efer;
    uint64_t fs_base, gs_base;
    uint64_t dr[4];           /* the guest's own DR0-3, DR6, DR7 (read-only) */
    uint64_t dr6, dr7;
    uint16_t cs, ss, ds, es, fs, gs;
    uint8_t  mode;            /* 0 real, 1 16-bit prot, 2 32-bit, 3 64-bit */
    uint8_t  pad[3];
};
#define DBGV_GDBG_MODE_REAL16 0
#define DBGV_GDBG_MODE_PROT16 1
#define DBGV_GDBG_MODE_PROT32 2
#define DBGV_GDBG_MODE_LONG64 3

/* SET_REGS: fields selected by mask are written; the rest must be zero. */
struct dbgv_ctl_gdbg_set_regs {
    uint32_t domid;
    uint32_t vcpu;
    uint32_t mask;            /* bit n < 16: gpr[n]; DBGV_GDBG_REG_RIP/RFLAGS */
    uint32_t pad;
    struct dbgv_gdbg_regs regs;
};
#define DBGV_GDBG_REG_RIP     (1u << 16)
#define DBGV_GDBG_REG_RFLAGS  (1u << 17)
#define DBGV_GDBG_REG_ALL     0x3ffffu

/* READ_GPA/WRITE_GPA/READ_GVA/WRITE_GVA: header, then (writes) len bytes;
 * reads reply with len bytes. GVA requests translate through the page
 * tables of `vcpu` (paging off: linear = physical); an unmapped page or a
 * physical address outside the domain gives -EFAULT. vcpu must exist in
 * both kinds (the GPA ones do not use it). */
struct dbgv_ctl_gdbg_mem {
    uint32_t domid;
    uint32_t vcpu;
    uint32_t len;             /* 1..DBGV_CTL_MEM_CHUNK */
    uint32_t pad;
    uint64_t addr;
};

/* GET_REGS_ARM64 (request: struct dbgv_ctl_gdbg_vcpu) reply and SET_REGS_ARM64
 * payload: an AArch64 vCPU as its EL1 sees it, in gdb's aarch64 order. A
 * hypervisor that runs no AArch64 domain answers -ENOSYS; an x86 domain's
 * vCPU gets -EINVAL. version and arch say what the reply holds; a reader
 * checks both. pstate is SPSR_EL2's view of the guest's PSTATE (gdb's cpsr;
 * PSTATE.SS is the guest's own, never the host's step). */
#define DBGV_GDBG_REGS_ARM64_VERSION 1
struct dbgv_gdbg_regs_arm64 {
    uint32_t version;         /* DBGV_GDBG_REGS_ARM64_VERSION */
    uint32_t arch;            /* DBGV_ARCH_ARM64 */
    uint64_t x[31];
    uint64_t sp;              /* the stack pointer in use: SP_EL0 (EL0, EL1t) or SP_EL1 */
    uint64_t pc;
    uint64_t pstate;
    uint32_t fpsr, fpcr;
    uint64_t v[32][2];        /* Q0-Q31, the low doubleword first */
};
/* SET_REGS_ARM64: fields selected by mask (and V registers by vmask) are
 * written, the rest must be zero. A pstate that is not AArch64 EL0t, EL1t or
 * EL1h, or sets RES0 bits, is refused (-EINVAL, nothing written). */
struct dbgv_ctl_gdbg_set_regs_arm64 {
    uint32_t domid;
    uint32_t vcpu;
    uint64_t mask;            /* bit n < 31: x[n]; DBGV_GDBG_A64_* */
    uint32_t vmask;           /* bit n: v[n] */
    uint32_t pad;
    struct dbgv_gdbg_regs_arm64 regs;   /* version and arch as in the reply */
};
#define DBGV_GDBG_A64_SP      (1ull << 31)
#define DBGV_GDBG_A64_PC      (1ull << 32)
#define DBGV_GDBG_A64_PSTATE  (1ull << 33)
#define DBGV_GDBG_A64_FPSR    (1ull << 34)
#define DBGV_GDBG_A64_FPCR    (1ull << 35)
#define DBGV_GDBG_A64_ALL     ((1ull << 36) - 1)

/* Layout checks: the ABI must not depend on the compiler's padding. */
#ifdef __cplusplus
#define DBGV_CTL_ASSERT_SIZE(t, n) \
    static_assert(sizeof(t) == (n), #t " has the wrong size")
#else
#define DBGV_CTL_ASSERT_SIZE(t, n) \
    _Static_assert(sizeof(t) == (n), #t " has the wrong size")
#endif
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_hdr, 32);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_error, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_hello_req, 40);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_hello_rep, 48);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_physinfo, 112);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_dominfo, 120);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_domid, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_list_req, 16);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_list_rep, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_domain_create, 80);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_domain_shutdown, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_mem, 16);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_vcpu_regs, 96);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_vcpuinfo, 32);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_vcpu_affinity, 16);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_domain_rename, 72);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_meminfo, 24);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_debug_keys, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_sched_params, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_ring_req, 16);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_ring_rep, 40);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_console_write, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_console_write_rep, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_debug_policy, 16);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_events_req, 16);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_events_rep, 32);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_event, 56);
DBGV_CTL_ASSERT_SIZE(struct dbgv_vcpu_debug_state, 768);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_dom_debug_state, 776);
DBGV_CTL_ASSERT_SIZE(struct dbgv_vcpu_debug_summary, 96);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_gdbg_bp, 24);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_gdbg_step, 16);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_gdbg_vcpu, 8);
DBGV_CTL_ASSERT_SIZE(struct dbgv_gdbg_regs, 264);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_gdbg_set_regs, 280);
DBGV_CTL_ASSERT_SIZE(struct dbgv_gdbg_regs_arm64, 800);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_gdbg_set_regs_arm64, 824);
DBGV_CTL_ASSERT_SIZE(struct dbgv_ctl_gdbg_mem, 24);

#endif
