/*
 * FP/SIMD, SVE and SME register file save and load (asm/fpsimd.h). The
 * hypervisor is built -mgeneral-regs-only; only these routines touch the
 * vector registers, at EL2's vector lengths (ZCR_EL2/SMCR_EL2 at the maximum,
 * so the whole of each register the guest may use).
 */
    .arch   armv8.2-a+sve
    .arch_extension sme

    .text
/* V0-V31 at x0 (CPUs without SVE). */
    .globl fp_save_v
fp_save_v:
    stp     q0, q1, [x0, #0]
    stp     q2, q3, [x0, #32]
    stp     q4, q5, [x0, #64]
    stp     q6, q7, [x0, #96]
    stp     q8, q9, [x0, #128]
    stp     q10, q11, [x0, #160]
    stp     q12, q13, [x0, #192]
    stp     q14, q15, [x0, #224]
    stp     q16, q17, [x0, #256]
    stp     q18, q19, [x0, #288]
    stp     q20, q21, [x0, #320]
    stp     q22, q23, [x0, #352]
    stp     q24, q25, [x0, #384]
    stp     q26, q27, [x0, #416]
    stp     q28, q29, [x0, #448]
    stp     q30, q31, [x0, #480]
    ret
    .globl fp_load_v
fp_load_v:
    ldp     q0, q1, [x0, #0]
    ldp     q2, q3, [x0, #32]
    ldp     q4, q5, [x0, #64]
    ldp     q6, q7, [x0, #96]
    ldp     q8, q9, [x0, #128]
    ldp     q10, q11, [x0, #160]
    ldp     q12, q13, [x0, #192]
    ldp     q14, q15, [x0, #224]
    ldp     q16, q17, [x0, #256]
    ldp     q18, q19, [x0, #288]
    ldp     q20, q21, [x0, #320]
    ldp     q22, q23, [x0, #352]
    ldp     q24, q25, [x0, #384]
    ldp     q26, q27, [x0, #416]
    ldp     q28, q29, [x0, #448]
    ldp     q30, q31, [x0, #480]
    ret

/* Z0-Z31 at x0, P0-P15 then FFR at x1, each at the current vector length. */
    .globl fp_save_sve
fp_save_sve:
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    str     z\n, [x0, #\n, mul vl]
    .endr
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    str     p\n, [x1, #\n, mul vl]
    .endr
    rdffr   p0.b
    str     p0, [x1, #16, mul vl]
    ret
    .globl fp_load_sve
fp_load_sve:
    ldr     p0, [x1, #16, mul vl]
    wrffr   p0.b
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    ldr     p\n, [x1, #\n, mul vl]
    .endr
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ldr     z\n, [x0, #\n, mul vl]
    .endr
    ret

/* The streaming vector length in bytes. */
    .globl fp_svl_bytes
fp_svl_bytes:
    rdsvl   x0, #1
    ret

/* ZA (PSTATE.ZA set): its SVL rows of SVL bytes at x0. */
    .globl fp_save_za
fp_save_za:
    rdsvl   x1, #1
    mov     w12, #0
1:  str     za[w12, 0], [x0]
    add     x0, x0, x1
    add     w12, w12, #1
    cmp     x12, x1
    b.lo    1b
    ret
    .globl fp_load_za
fp_load_za:
    rdsvl   x1, #1
    mov     w12, #0
1:  ldr     za[w12, 0], [x0]
    add     x0, x0, x1
    add     w12, w12, #1
    cmp     x12, x1
    b.lo    1b
    ret

/* ZT0 (SME2, PSTATE.ZA set): 64 bytes at x0. Encoded: this assembler
 * predates SME2. */
    .globl fp_save_zt0
fp_save_zt0:
    .inst   0xe13f8000          /* str zt0, [x0] */
    ret
    .globl fp_load_zt0
fp_load_zt0:
    .inst   0xe11f8000          /* ldr zt0, [x0] */
    ret
