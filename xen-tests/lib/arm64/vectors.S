/* EL1 exception vectors: every entry saves a struct trap_frame on the stack
 * and calls trap_entry(frame); the frame (maybe changed) is restored. */
#include <asm/gpr_pairs.S>   /* hypervisor/arch/arm64/include: same layout */

#define FRAME_SIZE  (35 * 8)

.macro vector
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    b       save_rest
.endm

    .text
    .balign 0x800
    .globl el1_vectors
el1_vectors:
    .rept 16
    vector
    .endr

save_rest:
    gpr_pairs stp, sp, 16
    str     x30, [sp, #240]
    mrs     x0, elr_el1
    mrs     x1, spsr_el1
    stp     x0, x1, [sp, #248]
    mrs     x0, esr_el1
    mrs     x1, far_el1
    stp     x0, x1, [sp, #264]
    mov     x0, sp
    bl      trap_entry
    ldp     x0, x1, [sp, #248]
    msr     elr_el1, x0
    msr     spsr_el1, x1
    gpr_pairs ldp, sp, 16
    ldr     x30, [sp, #240]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret
