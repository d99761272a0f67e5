/*
 * A process that forks while connected (xl create's monitor and console
 * child do): the child drops the connection it inherited and opens its own,
 * while the parent keeps calling through its shared-memory slot. Both must
 * keep working; prints "fork_slot parent=T/E child=T/E" (transport/errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <debugctl.h>

#define CALLS 40

static int calls(dbgctl *h)
{
    int errors = 0;

    for ( int i = 0; i < CALLS; i++ )
    {
        struct dbgv_ctl_dominfo *d;
        unsigned int nr;
        int rc = dbgctl_domain_list(h, &d, &nr);

        if ( rc )
        {
            fprintf(stderr, "call %d: %s\n", i, dbgctl_strerror(rc));
            errors++;
        }
        else
            free(d);
    }
    return errors;
}

int main(int argc, char **argv)
{
    dbgctl *h, *c;
    int status, errors;
    pid_t pid;

    if ( argc != 2 || dbgctl_open(argv[1], &h) )
        return 2;
    if ( calls(h) )
        return 3;
    fflush(NULL);
    pid = fork();
    if ( pid == 0 )
    {
        dbgctl_idle(h);                 /* what xl's children do */
        if ( dbgctl_open(argv[1], &c) )
            _exit(100);
        errors = calls(c);
        printf("fork_slot child=%s/%d\n", dbgctl_transport_name(c), errors);
        _exit(errors ? 1 : 0);
    }
    errors = calls(h);
    waitpid(pid, &status, 0);
    printf("fork_slot parent=%s/%d\n", dbgctl_transport_name(h), errors);
    return errors || !WIFEXITED(status) || WEXITSTATUS(status) ? 1 : 0;
}
