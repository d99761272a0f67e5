/* 256 vector stubs, 16 bytes apart: push a dummy error code where the CPU
 * pushes none, push the vector, build a struct trap_frame, call C. */
    .code32
    .section .text
    .globl vector_stubs
    .align 16
vector_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    push $0
    .endif
    push $vec
    jmp trap_common
    .set vec, vec + 1
    .endr

trap_common:
    pusha
    cld
    push %esp
    call trap_dispatch
    add $4, %esp
    popa
    add $8, %esp
    iret
