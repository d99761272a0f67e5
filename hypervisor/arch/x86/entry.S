/* Exception and interrupt entry stubs: build struct cpu_regs, call do_trap. */
        .text
.macro TRAP_NOERR vec
        .align 16
        pushq   $0
        pushq   $\vec
        jmp     trap_common
.endm
.macro TRAP_ERR vec
        .align 16
        pushq   $\vec
        jmp     trap_common
.endm

        .align 16
        .globl trap_stubs
trap_stubs:
        .set vec, 0
        .rept 256
        .if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        TRAP_ERR vec
        .else
        TRAP_NOERR vec
        .endif
        .set vec, vec + 1
        .endr

trap_common:
        pushq   %rax
        pushq   %rbx
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %rbp
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, %rdi
        cld
        call    do_trap
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rbp
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
        addq    $16, %rsp
        iretq
