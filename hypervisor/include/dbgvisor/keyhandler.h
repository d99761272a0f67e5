/* Debug keys (Xen's keyhandler): one character dumps some hypervisor state
 * to the log that `xl dmesg` reads. Sent by `xl debug-keys`. */
#ifndef DBGVISOR_KEYHANDLER_H
#define DBGVISOR_KEYHANDLER_H

/* Run the handler of key; a key without one does nothing, as in Xen. */
void keyhandler_handle(char key);

#endif
