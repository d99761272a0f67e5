/* Fakes of what domain.c calls outside itself: memory from the host heap,
 * no-op arch and scheduler hooks, and counters the tests assert on. */
#ifndef LIFECYCLE_FAKES_H
#define LIFECYCLE_FAKES_H

/* events_post_domain[_data]() calls per event type since fake_reset(). */
unsigned fake_events(unsigned type);
void fake_reset(void);

#endif
