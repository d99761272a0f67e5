/* The control channel: a serial port (x86 COM2, arm64's second PL011) and,
 * where there is one, shared memory carry the toolstack protocol. */
#ifndef DBGVISOR_CONTROL_CHANNEL_H
#define DBGVISOR_CONTROL_CHANNEL_H

#include <stdint.h>

/* Sets up the transports and registers the poll with the scheduler on pCPU 0. */
void control_channel_init(void);

/* Feeds the bytes waiting at a polled serial port (getc: a byte or -1) to the
 * server's main stream for at most one budget from start, then runs
 * ctl_poll(); returns the time it stopped. common/control/serial_poll.c */
uint64_t ctl_serial_poll(int (*getc)(void), uint64_t start);

#endif
