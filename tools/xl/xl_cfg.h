/* xl.cfg parser: Xen 4.17's grammar (libxlutil), the options dbgvisor uses. */
#ifndef XL_CFG_H
#define XL_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <dbgvisor/public/control.h>

struct xl_cfg {
    char    *name;
    char    *kernel;
    char    *ramdisk;         /* Linux initrd, NULL: none */
    char    *cmdline;         /* as Xen: the whole command line, else */
    char    *extra;           /* "root=ROOT EXTRA" */
    char    *root;
    uint32_t memory_mib;      /* default XL_CFG_DEFAULT_MEMORY */
    uint32_t vcpus;           /* default 1 */
    uint32_t max_vcpus;       /* maxvcpus, 0: not given (= vcpus) */
    int      debug_policy;    /* enum dbgv_debug_policy, -1: hypervisor default */
    uint32_t quiet_switches;  /* 0: default */
    unsigned int unbacked_access; /* enum dbgv_unbacked_access, 0: ignore */
    unsigned int timer_mode;  /* enum dbgv_timer_mode, 0: default */
    /* on_poweroff, on_reboot, on_crash, on_watchdog: enum xl_action, indexed
     * by enum dbgv_shutdown_reason (suspend has no action). */
    enum xl_action {
        XL_ACTION_DESTROY, XL_ACTION_RESTART, XL_ACTION_RENAME_RESTART,
        XL_ACTION_PRESERVE, XL_ACTION_COREDUMP_DESTROY, XL_ACTION_COREDUMP_RESTART,
        XL_ACTION_COUNT,
    } on_shutdown[DBGV_SHUTDOWN_WATCHDOG + 1];
    /* Every setting parsed so far, newest first (what += appends to). */
    struct xl_cfg_setting *settings;
};

/* Xen's action names ("rename-restart"); NULL if out of range. */
const char *xl_action_name(enum xl_action a);

/* "trap, lazy-exit, lazy-sched, adaptive": name(first) to name(end - 1) for a
 * message, from libdebugctl's table (dbgctl_policy_name...); returns buf. */
const char *xl_name_list(char *buf, size_t len, const char *(*name)(unsigned int),
                         unsigned int first, unsigned int end);
#define XL_NAME_LIST_LEN 128

#define XL_CFG_DEFAULT_MEMORY 64

/* Notes on the options ignored ("FILE:LINE: ignoring `vif' ...") go to this
 * callback; NULL ignores them silently, as Xen does (xl passes one for -v). */
typedef void (*xl_cfg_warn_fn)(const char *msg);

/*
 * Parse text (not necessarily NUL-terminated) from file fname, after what
 * earlier calls parsed (command-line overrides: later settings win, += appends).
 * On error returns -1 with "fname:line: message" lines in err (every syntax
 * error, one per line). cfg must be xl_cfg_init()ed; free with xl_cfg_dispose().
 */
void xl_cfg_init(struct xl_cfg *cfg);
int xl_cfg_parse(struct xl_cfg *cfg, const char *text, size_t len,
                 const char *fname, xl_cfg_warn_fn warn, char *err,
                 size_t errlen);
/* Check required keys after all input (file + command-line overrides). */
int xl_cfg_check(const struct xl_cfg *cfg, const char *fname, char *err,
                 size_t errlen);
/* The guest command line by Xen's rule: cmdline if given (root and extra
 * then ignored, with a warning), else "root=ROOT EXTRA", "root=ROOT" or
 * EXTRA. malloc'd; NULL when out of memory. */
char *xl_cfg_kernel_cmdline(const struct xl_cfg *cfg, xl_cfg_warn_fn warn);
void xl_cfg_dispose(struct xl_cfg *cfg);

#endif
