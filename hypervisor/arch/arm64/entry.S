/*
 * EL2 exception vectors and the world switch.
 *
 * guest_enter(regs) saves the hypervisor's callee-saved registers on its own
 * stack, loads the guest's registers and ERETs to EL1. Any exception from the
 * guest lands in a lower-EL vector, which stores the guest's registers back
 * into regs (found through TPIDR_EL2) and returns from guest_enter with the
 * kind of exception (EXIT_SYNC, EXIT_IRQ, ...). An exception taken at EL2
 * itself is a hypervisor bug: hv_fault() reports it and stops the machine.
 * Offsets follow struct guest_regs (asm/hvm.h): x0-x30, elr, spsr.
 */
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
    msr     tpidr_el2, x0
    ldp     x1, x2, [x0, #REGS_ELR]
    msr     elr_el2, x1
    msr     spsr_el2, x2
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
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
    stp     x0, x1, [sp, #-16]!
    mrs     x0, tpidr_el2
    stp     x2, x3, [x0, #16]
    stp     x4, x5, [x0, #32]
    stp     x6, x7, [x0, #48]
    stp     x8, x9, [x0, #64]
    stp     x10, x11, [x0, #80]
    stp     x12, x13, [x0, #96]
    stp     x14, x15, [x0, #112]
    stp     x16, x17, [x0, #128]
    stp     x18, x19, [x0, #144]
    stp     x20, x21, [x0, #160]
    stp     x22, x23, [x0, #176]
    stp     x24, x25, [x0, #192]
    stp     x26, x27, [x0, #208]
    stp     x28, x29, [x0, #224]
    str     x30, [x0, #240]
    ldp     x2, x3, [sp], #16
    stp     x2, x3, [x0, #0]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x0, #REGS_ELR]
    mov     x0, #\kind
    b       guest_exit
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
