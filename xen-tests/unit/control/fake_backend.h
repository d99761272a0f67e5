/* Fake hypervisor backend for hosted tests of the control server. */
#ifndef FAKE_BACKEND_H
#define FAKE_BACKEND_H

#include <stdint.h>
#include <dbgvisor/control.h>

#define FAKE_MAX_DOMS 64

/* Forget all domains; Domain-0 exists afterwards. */
void fake_reset(void);
/* Append text to a domain's console (or the hv log for domid ~0). */
void fake_console_write(uint32_t domid, const char *s);
/* Console input bytes a fake domain lost to overrun (its echo takes 16 per write). */
uint32_t fake_console_overruns(uint32_t domid);
/* Queue an event as the hypervisor would. */
void fake_post_event(uint32_t domid, uint16_t type, int32_t code);
/* Advance fake time by ns (running domains accumulate CPU time). */
void fake_tick(uint64_t ns);
/* Make the named domain crash or exit (as port 0xF4 would). */
int fake_domain_exit(uint32_t domid, int32_t code, int crashed);

#endif
