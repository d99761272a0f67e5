/* EL1 exception vectors: every entry saves a struct trap_frame on the stack
 * and calls trap_entry(frame, vector index 0-15); the frame (maybe changed)
 * is restored. */
#include <asm/gpr_pairs.S>   /* hypervisor/arch/arm64/include: same layout */

#define FRAME_SIZE  (35 * 8)

.macro vector index
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\index
    b       save_rest
.endm

    .text
    .balign 0x800
    .globl el1_vectors
el1_vectors:
    .irp index, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    vector \index
    .endr

save_rest:
    gpr_pairs stp, sp, 16
    str     x30, [sp, #240]
    mov     x19, x1                 /* the vector's index (x19 is saved above) */
    mrs     x0, elr_el1
    mrs     x1, spsr_el1
    stp     x0, x1, [sp, #248]
    mrs     x0, esr_el1
    mrs     x1, far_el1
    stp     x0, x1, [sp, #264]
    mov     x0, sp
    mov     x1, x19
    bl      trap_entry
    ldp     x0, x1, [sp, #248]
    msr     elr_el1, x0
    msr     spsr_el1, x1
    gpr_pairs ldp, sp, 16
    ldr     x30, [sp, #240]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret
