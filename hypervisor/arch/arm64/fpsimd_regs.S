/*
 * FP/SIMD, SVE and SME register file save and load (asm/fpsimd.h). The
 * hypervisor is built -mgeneral-regs-only; only these routines touch the
 * vector registers, at EL2's vector lengths (ZCR_EL2/SMCR_EL2 at the maximum,
 * so the whole of each register the guest may use).
 */
    .arch   armv8.2-a+sve
    .arch_extension sme

/* q_pairs OP: OP (stp or ldp) of V0-V31 in pairs at x0. */
.macro q_pairs op
    .set .Lq_off, 0
    .irp pair, "q0, q1", "q2, q3", "q4, q5", "q6, q7", "q8, q9", "q10, q11", "q12, q13", "q14, q15", "q16, q17", "q18, q19", "q20, q21", "q22, q23", "q24, q25", "q26, q27", "q28, q29", "q30, q31"
    \op     \pair, [x0, #.Lq_off]
    .set .Lq_off, .Lq_off + 32
    .endr
.endm
/* z_regs OP, BASE / p_regs OP, BASE: OP (str or ldr) of Z0-Z31 / P0-P15 at
 * BASE + n vector (predicate) lengths. */
.macro z_regs op, base
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    \op     z\n, [\base, #\n, mul vl]
    .endr
.endm
.macro p_regs op, base
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    \op     p\n, [\base, #\n, mul vl]
    .endr
.endm

    .text
/* V0-V31 at x0 (CPUs without SVE). */
    .globl fp_save_v
fp_save_v:
    q_pairs stp
    ret
    .globl fp_load_v
fp_load_v:
    q_pairs ldp
    ret

/* Z0-Z31 at x0, P0-P15 then FFR at x1, each at the current vector length. */
    .globl fp_save_sve
fp_save_sve:
    z_regs  str, x0
    p_regs  str, x1
    rdffr   p0.b
    str     p0, [x1, #16, mul vl]
    ret
    .globl fp_load_sve
fp_load_sve:
    ldr     p0, [x1, #16, mul vl]
    wrffr   p0.b
    p_regs  ldr, x1
    z_regs  ldr, x0
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
