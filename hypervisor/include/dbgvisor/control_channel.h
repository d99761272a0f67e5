/* The control channel: COM2 carries the toolstack protocol. */
#ifndef DBGVISOR_CONTROL_CHANNEL_H
#define DBGVISOR_CONTROL_CHANNEL_H

/* Sets up COM2 and registers the poll with the scheduler on pCPU 0. */
void control_channel_init(void);

#endif
