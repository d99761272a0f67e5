/* Whether untrapped guest writes of DR4-DR7 must exit (svm/dr_probe.c). */
#ifndef ASM_SVM_DR_PROBE_H
#define ASM_SVM_DR_PROBE_H

#include <stdbool.h>

enum dr_probe_result {
    DR_PROBE_NOT_RUN,
    DR_PROBE_FAILED,     /* the probe guest did not complete: assume the quirk */
    DR_PROBE_KEPT,       /* reserved DR6/DR7 bits stay as written (QEMU TCG) */
    DR_PROBE_MASKED,     /* architectural: reserved bits read as fixed */
};

/* Boot option dr_write_exits=auto|on|off. */
enum dr_write_exits_option { DR_WRITE_EXITS_AUTO, DR_WRITE_EXITS_ON, DR_WRITE_EXITS_OFF };

/* On the boot pCPU, SVM enabled, before any domain runs: probe, decide, log. */
void svm_dr_probe(enum dr_write_exits_option option);
/* Untrapped vCPUs' DR4-DR7 writes exit (the probe found the quirk, or forced). */
bool svm_dr_writes_exit(void);
enum dr_probe_result svm_dr_probe_result(void);

#endif
