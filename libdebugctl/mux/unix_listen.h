/* A listening unix socket for a control endpoint (dbgctl-mux, fake-hv). */
#ifndef DBGCTL_UNIX_LISTEN_H
#define DBGCTL_UNIX_LISTEN_H

/* Replaces whatever is at path with a socket of mode 0600 listening with the
 * given backlog. Returns the fd, or -1 with errno set. */
int unix_listen(const char *path, int backlog);

#endif
