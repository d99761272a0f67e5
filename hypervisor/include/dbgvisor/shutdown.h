/* Ending the whole machine. The launcher maps these codes to its exit status. */
#ifndef DBGVISOR_SHUTDOWN_H
#define DBGVISOR_SHUTDOWN_H

enum hv_exit_code {
    HV_EXIT_OK = 0,            /* every domain exited 0 */
    HV_EXIT_DOMAIN_FAILED = 1, /* some domain exited nonzero */
    HV_EXIT_DOMAIN_CRASHED = 2,/* some domain crashed */
    HV_EXIT_FAULT = 3,         /* the hypervisor itself failed */
};

/* Writes the code to the QEMU isa-debug-exit port and halts all pCPUs. */
void __attribute__((noreturn)) machine_exit(enum hv_exit_code code);

#endif
