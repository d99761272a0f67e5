/*
 * EL2 exception vectors and the world switch.
 *
 * guest_enter(regs) saves the hypervisor's callee-saved registers on its own
 * stack, loads the guest's registers and ERETs to EL1. Any exception from the
 * guest lands in a lower-EL vector, which stores the guest's registers back
 * into regs and returns from guest_enter with the
 * kind of exception (EXIT_SYNC, EXIT_IRQ, ...). regs is found at the top of
 * the hypervisor's stack (SP_EL2 is where guest_enter left it), so TPIDR_EL2
 * stays the pCPU's (percpu.c). An exception taken at EL2
 * itself is a hypervisor bug: hv_fault() reports it and stops the machine.
 * Offsets follow struct guest_regs (asm/hvm.h): x0-x30, elr, spsr.
 */
#include <asm/gpr_pairs.S>

#define REGS_ELR    248
#define REGS_SPSR   256

    .text
    .globl guest_enter
guest_enter:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    str     x0, [sp, #-16]!     /* regs, for the lower-EL vectors */
    ldp     x1, x2, [x0, #REGS_ELR]
    msr     elr_el2, x1
    msr     spsr_el2, x2
    gpr_pairs ldp, x0, 16
    ldr     x30, [x0, #240]
    ldp     x0, x1, [x0, #0]
    eret
    dsb     nsh
    isb

guest_exit:
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret

/* Lower-EL entry: guest registers into regs, then back out of guest_enter. */
.macro guest_vector kind
    .balign 0x80
.Lvec\@:
    stp     x0, x1, [sp, #-16]!
    ldr     x0, [sp, #16]       /* regs (guest_enter) */
    gpr_pairs stp, x0, 16
    str     x30, [x0, #240]
    ldp     x2, x3, [sp], #32   /* the guest's x0, x1; regs popped too */
    stp     x2, x3, [x0, #0]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x0, #REGS_ELR]
    mov     x0, #\kind
    b       guest_exit
    .if (. - .Lvec\@) > 0x80
    .error "vector entry longer than its 0x80-byte slot"
    .endif
.endm

/* EL2 entry: a hypervisor fault. */
.macro hv_vector kind
    .balign 0x80
    stp     x0, x1, [sp, #-16]!
    mov     x0, #\kind
    b       hv_fault_entry
.endm

    .balign 0x800
    .globl el2_vectors
el2_vectors:
    hv_vector 0         /* current EL, SP0: sync */
    hv_vector 1         /* irq */
    hv_vector 2         /* fiq */
    hv_vector 3         /* serror */
    hv_vector 0         /* current EL, SPx */
    hv_vector 1
    hv_vector 2
    hv_vector 3
    guest_vector 0      /* lower EL, AArch64: EXIT_SYNC */
    guest_vector 1      /* EXIT_IRQ */
    guest_vector 2      /* EXIT_FIQ */
    guest_vector 3      /* EXIT_SERROR */
    hv_vector 4         /* lower EL, AArch32: not offered (HCR_EL2.RW=1) */
    hv_vector 4
    hv_vector 4
    hv_vector 4

hv_fault_entry:
    mov     x1, sp
    add     x1, x1, #16         /* the stack as it was */
    bl      hv_fault
    b       .
