/* Debug and life-cycle events queued for the toolstack (EVENTS_READ). */
#ifndef DBGVISOR_EVENTS_H
#define DBGVISOR_EVENTS_H

#include <stdint.h>
#include <public/control.h>

/* Stamps time and sequence number and queues ev (any pCPU). */
void events_post(struct dbgv_ctl_event *ev);
/* Shorthand for domain life-cycle events. */
void events_post_domain(uint32_t domid, uint16_t type, int32_t code);
/* The same with the event's data (the shutdown reason of an end event). */
void events_post_domain_data(uint32_t domid, uint16_t type, int32_t code, uint64_t data);
/* Serialised read for the control backend. */
uint32_t events_read(uint64_t since_seq, uint32_t domid, struct dbgv_ctl_event *out,
                     uint32_t max, struct dbgv_ctl_events_rep *rep);

#endif
