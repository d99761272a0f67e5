/* A listening unix socket for a control endpoint (see unix_listen.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "unix_listen.h"

int unix_listen(const char *path, int backlog)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd, err;

    if ( strlen(path) >= sizeof(sa.sun_path) )
    {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if ( fd < 0 )
        return -1;
    /* 0600: the control socket is as powerful as the hypervisor itself. */
    if ( bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
         chmod(path, 0600) < 0 || listen(fd, backlog) < 0 )
    {
        err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}
