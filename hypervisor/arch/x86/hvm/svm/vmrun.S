/*
 * void svm_vmrun(uint64_t *gpr, uint64_t vmcb_pa, uint64_t host_vmcb_pa)
 *
 * World switch: load the guest GPRs that the VMCB does not hold (all but
 * RAX/RSP), VMLOAD the guest's hidden state, VMRUN, VMSAVE it back, reload
 * the host's hidden state and store the guest GPRs. Called with GIF=0
 * (CLGI) and host IF=1, so a physical interrupt in the guest exits.
 */
#define G(n) (8 * (n))
        .text
        .globl svm_vmrun
svm_vmrun:
        pushq   %rbp
        movq    %rsp, %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        pushq   %rdx            /* host_vmcb_pa */
        pushq   %rdi            /* gpr array */

        movq    %rsi, %rax
        movq    G(1)(%rdi), %rcx
        movq    G(2)(%rdi), %rdx
        movq    G(3)(%rdi), %rbx
        movq    G(5)(%rdi), %rbp
        movq    G(6)(%rdi), %rsi
        movq    G(8)(%rdi), %r8
        movq    G(9)(%rdi), %r9
        movq    G(10)(%rdi), %r10
        movq    G(11)(%rdi), %r11
        movq    G(12)(%rdi), %r12
        movq    G(13)(%rdi), %r13
        movq    G(14)(%rdi), %r14
        movq    G(15)(%rdi), %r15
        movq    G(7)(%rdi), %rdi

        vmload  %rax
        vmrun   %rax
        vmsave  %rax

        /* RAX (the VMCB's address again) is free: it holds the gpr array. */
        movq    (%rsp), %rax    /* gpr array */
        movq    %rcx, G(1)(%rax)
        movq    %rdx, G(2)(%rax)
        movq    %rbx, G(3)(%rax)
        movq    %rbp, G(5)(%rax)
        movq    %rsi, G(6)(%rax)
        movq    %rdi, G(7)(%rax)
        movq    %r8, G(8)(%rax)
        movq    %r9, G(9)(%rax)
        movq    %r10, G(10)(%rax)
        movq    %r11, G(11)(%rax)
        movq    %r12, G(12)(%rax)
        movq    %r13, G(13)(%rax)
        movq    %r14, G(14)(%rax)
        movq    %r15, G(15)(%rax)
        popq    %rax            /* gpr array, done */
        popq    %rax            /* host_vmcb_pa */
        vmload  %rax

        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
