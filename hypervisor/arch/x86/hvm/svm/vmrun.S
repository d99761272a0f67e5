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

        pushq   %rdi
        movq    8(%rsp), %rdi   /* gpr array */
        movq    %rcx, G(1)(%rdi)
        movq    %rdx, G(2)(%rdi)
        movq    %rbx, G(3)(%rdi)
        movq    %rbp, G(5)(%rdi)
        movq    %rsi, G(6)(%rdi)
        movq    %r8, G(8)(%rdi)
        movq    %r9, G(9)(%rdi)
        movq    %r10, G(10)(%rdi)
        movq    %r11, G(11)(%rdi)
        movq    %r12, G(12)(%rdi)
        movq    %r13, G(13)(%rdi)
        movq    %r14, G(14)(%rdi)
        movq    %r15, G(15)(%rdi)
        popq    %rax
        movq    %rax, G(7)(%rdi)
        popq    %rdi
        popq    %rax            /* host_vmcb_pa */
        vmload  %rax

        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
