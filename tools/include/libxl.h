/*
 * libxl.h: the libxl-compatible subset of dbgvisor's toolstack.
 *
 * A program written against Xen 4.17's libxl for the basics (listing and
 * inspecting domains, pausing, unpausing, destroying, vCPU and host
 * information) compiles unchanged against this header and links with
 * `pkg-config --libs xenlight`. Types, field order, enum values and
 * signatures match Xen 4.17 (checked by xen-tests/unit/control against
 * Debian's libxen-dev headers); the implementation sits on libdebugctl.
 * Written for dbgvisor; not derived from Xen's header text.
 */
#ifndef LIBXL_H
#define LIBXL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xentoollog.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LIBXL_API_VERSION) && LIBXL_API_VERSION != 0x040200 && \
    LIBXL_API_VERSION != 0x040300 && LIBXL_API_VERSION != 0x040400 && \
    LIBXL_API_VERSION != 0x040500 && LIBXL_API_VERSION != 0x040700 && \
    LIBXL_API_VERSION != 0x040800 && LIBXL_API_VERSION != 0x041300 && \
    LIBXL_API_VERSION != 0x041400
#error Unknown LIBXL_API_VERSION
#endif

#define LIBXL_VERSION 0
#define LIBXL_HAVE_DBGVISOR 1          /* this is dbgvisor's subset */

typedef struct libxl__ctx libxl_ctx;
typedef uint32_t libxl_domid;

typedef struct {
    uint8_t uuid[16];
} libxl_uuid;

typedef struct {
    uint32_t size;          /* bytes in map */
    uint8_t *map;
} libxl_bitmap;

typedef uint32_t libxl_hwcap[8];

/* Asynchronous operations: only ao_how == NULL (synchronous) is
 * meaningful here; a non-NULL how with a callback is completed before
 * returning and the callback called. */
typedef struct {
    void (*callback)(libxl_ctx *ctx, int rc, void *for_callback);
    union {
        uint64_t for_event;
        void *for_callback;
    } u;
} libxl_asyncop_how;

typedef enum libxl_error {
    ERROR_NONSPECIFIC = -1,
    ERROR_VERSION = -2,
    ERROR_FAIL = -3,
    ERROR_NI = -4,
    ERROR_NOMEM = -5,
    ERROR_INVAL = -6,
    ERROR_BADFAIL = -7,
    ERROR_GUEST_TIMEDOUT = -8,
    ERROR_TIMEDOUT = -9,
    ERROR_NOPARAVIRT = -10,
    ERROR_NOT_READY = -11,
    ERROR_OSEVENT_REG_FAIL = -12,
    ERROR_BUFFERFULL = -13,
    ERROR_UNKNOWN_CHILD = -14,
    ERROR_LOCK_FAIL = -15,
    ERROR_JSON_CONFIG_EMPTY = -16,
    ERROR_DEVICE_EXISTS = -17,
    ERROR_CHECKPOINT_DEVOPS_DOES_NOT_MATCH = -18,
    ERROR_CHECKPOINT_DEVICE_NOT_SUPPORTED = -19,
    ERROR_VNUMA_CONFIG_INVALID = -20,
    ERROR_DOMAIN_NOTFOUND = -21,
    ERROR_ABORTED = -22,
    ERROR_NOTFOUND = -23,
    ERROR_DOMAIN_DESTROYED = -24,
    ERROR_FEATURE_REMOVED = -25,
    ERROR_PROTOCOL_ERROR_QMP = -26,
    ERROR_UNKNOWN_QMP_ERROR = -27,
    ERROR_QMP_GENERIC_ERROR = -28,
    ERROR_QMP_COMMAND_NOT_FOUND = -29,
    ERROR_QMP_DEVICE_NOT_ACTIVE = -30,
    ERROR_QMP_DEVICE_NOT_FOUND = -31,
    ERROR_QEMU_API = -32,
} libxl_error;
const char *libxl_error_to_string(libxl_error e);

typedef enum libxl_domain_type {
    LIBXL_DOMAIN_TYPE_INVALID = -1,
    LIBXL_DOMAIN_TYPE_HVM = 1,
    LIBXL_DOMAIN_TYPE_PV = 2,
    LIBXL_DOMAIN_TYPE_PVH = 3,
} libxl_domain_type;

typedef enum libxl_shutdown_reason {
    LIBXL_SHUTDOWN_REASON_UNKNOWN = -1,
    LIBXL_SHUTDOWN_REASON_POWEROFF = 0,
    LIBXL_SHUTDOWN_REASON_REBOOT = 1,
    LIBXL_SHUTDOWN_REASON_SUSPEND = 2,
    LIBXL_SHUTDOWN_REASON_CRASH = 3,
    LIBXL_SHUTDOWN_REASON_WATCHDOG = 4,
    LIBXL_SHUTDOWN_REASON_SOFT_RESET = 5,
} libxl_shutdown_reason;
const char *libxl_shutdown_reason_to_string(libxl_shutdown_reason r);

/* Field order as Xen 4.17. */
typedef struct libxl_dominfo {
    libxl_uuid uuid;
    libxl_domid domid;
    uint32_t ssidref;
    char *ssid_label;
    bool running;
    bool blocked;
    bool paused;
    bool shutdown;
    bool dying;
    bool never_stop;
    libxl_shutdown_reason shutdown_reason;
    uint64_t outstanding_memkb;
    uint64_t current_memkb;
    uint64_t shared_memkb;
    uint64_t paged_memkb;
    uint64_t max_memkb;
    uint64_t cpu_time;          /* ns */
    uint32_t vcpu_max_id;
    uint32_t vcpu_online;
    uint32_t cpupool;
    uint8_t gpaddr_bits;
    libxl_domain_type domain_type;
} libxl_dominfo;
void libxl_dominfo_init(libxl_dominfo *p);
void libxl_dominfo_dispose(libxl_dominfo *p);

typedef struct libxl_vcpuinfo {
    uint32_t vcpuid;
    uint32_t cpu;
    bool online;
    bool blocked;
    bool running;
    uint64_t vcpu_time;         /* ns */
    libxl_bitmap cpumap;
    libxl_bitmap cpumap_soft;
} libxl_vcpuinfo;
void libxl_vcpuinfo_init(libxl_vcpuinfo *p);
void libxl_vcpuinfo_dispose(libxl_vcpuinfo *p);

typedef struct libxl_physinfo {
    uint32_t threads_per_core;
    uint32_t cores_per_socket;
    uint32_t max_cpu_id;
    uint32_t nr_cpus;
    uint32_t cpu_khz;
    uint64_t total_pages;
    uint64_t free_pages;
    uint64_t scrub_pages;
    uint64_t outstanding_pages;
    uint64_t sharing_freed_pages;
    uint64_t sharing_used_frames;
    uint64_t max_possible_mfn;
    uint32_t nr_nodes;
    libxl_hwcap hw_cap;
    bool cap_hvm;
    bool cap_pv;
    bool cap_hvm_directio;
    bool cap_hap;
    bool cap_shadow;
    bool cap_iommu_hap_pt_share;
    bool cap_vmtrace;
    bool cap_vpmu;
    bool cap_gnttab_v1;
    bool cap_gnttab_v2;
} libxl_physinfo;
void libxl_physinfo_init(libxl_physinfo *p);
void libxl_physinfo_dispose(libxl_physinfo *p);

typedef struct libxl_version_info {
    int xen_version_major;
    int xen_version_minor;
    char *xen_version_extra;
    char *compiler;
    char *compile_by;
    char *compile_domain;
    char *compile_date;
    char *capabilities;
    char *changeset;
    uint64_t virt_start;
    int pagesize;
    char *commandline;
    char *build_id;
} libxl_version_info;
void libxl_version_info_init(libxl_version_info *p);
void libxl_version_info_dispose(libxl_version_info *p);

/* Context: connects to the hypervisor ($DBGCTL_URI or the default socket).
 * version must be LIBXL_VERSION; lg receives error messages. */
int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags,
                    xentoollog_logger *lg);
int libxl_ctx_free(libxl_ctx *ctx);

const libxl_version_info *libxl_get_version_info(libxl_ctx *ctx);
int libxl_get_physinfo(libxl_ctx *ctx, libxl_physinfo *physinfo);

/* info_r may be NULL to test existence; ERROR_DOMAIN_NOTFOUND if none. */
int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info_r, uint32_t domid);
/* Arrays from malloc: free with the matching _list_free. */
libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out);
void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain);
libxl_vcpuinfo *libxl_list_vcpu(libxl_ctx *ctx, uint32_t domid,
                                int *nb_vcpu, int *nr_cpus_out);
void libxl_vcpuinfo_list_free(libxl_vcpuinfo *list, int nr_vcpus);

int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid,
                       const libxl_asyncop_how *ao_how);
int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *ao_how);
int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *ao_how);
/* Ask the guest to power off / reboot (it reads the request at the
 * shutdown-request port and ends itself; docs/architecture.md). */
int libxl_domain_shutdown(libxl_ctx *ctx, uint32_t domid,
                          const libxl_asyncop_how *ao_how);
int libxl_domain_reboot(libxl_ctx *ctx, uint32_t domid,
                        const libxl_asyncop_how *ao_how);

/* Older API versions took no ao_how for pause/unpause/shutdown/reboot, as in Xen. */
#if defined(LIBXL_API_VERSION) && LIBXL_API_VERSION < 0x041300
static inline int libxl_domain_pause_0x041200(libxl_ctx *ctx, uint32_t domid)
{
    return libxl_domain_pause(ctx, domid, NULL);
}
static inline int libxl_domain_unpause_0x041200(libxl_ctx *ctx, uint32_t domid)
{
    return libxl_domain_unpause(ctx, domid, NULL);
}
static inline int libxl_domain_shutdown_0x041200(libxl_ctx *ctx, uint32_t domid)
{
    return libxl_domain_shutdown(ctx, domid, NULL);
}
static inline int libxl_domain_reboot_0x041200(libxl_ctx *ctx, uint32_t domid)
{
    return libxl_domain_reboot(ctx, domid, NULL);
}
#define libxl_domain_pause libxl_domain_pause_0x041200
#define libxl_domain_unpause libxl_domain_unpause_0x041200
#define libxl_domain_shutdown libxl_domain_shutdown_0x041200
#define libxl_domain_reboot libxl_domain_reboot_0x041200
#endif

#include <libxl_utils.h>

#ifdef __cplusplus
}
#endif

#endif
