/* Names of the public ABI's enumerated values (debug-register policies, timer
 * modes...), shared by the hypervisor and the tools (libdebugctl's dbgctl_*_name). */
#ifndef DBGVISOR_POLICY_NAMES_H
#define DBGVISOR_POLICY_NAMES_H

/* "trap", "lazy-exit", "lazy-sched", "adaptive"; "unknown" out of range. */
const char *dbgv_policy_name(unsigned policy);
/* The policy number, or -1 for an unknown name. */
int dbgv_policy_parse(const char *name, unsigned len);
/* Unbacked-access modes (enum dbgv_unbacked_access): "ignore", "crash". */
const char *dbgv_unbacked_access_name(unsigned mode);
int dbgv_unbacked_access_parse(const char *name, unsigned len);
/* Timer modes (enum dbgv_timer_mode): Xen's xl.cfg names; parse gives 1-3,
 * -1 for an unknown name or Xen's delay_for_missed_ticks (not offered). */
const char *dbgv_timer_mode_name(unsigned mode);
int dbgv_timer_mode_parse(const char *name, unsigned len);
/* enum dbgv_shutdown_reason: "poweroff", "reboot"...; "unknown" out of range. */
const char *dbgv_shutdown_reason_name(unsigned reason);
/* enum dbgv_lazy_state: "trapping", "passthrough"; "unknown" out of range. */
const char *dbgv_lazy_state_name(unsigned state);

#endif
