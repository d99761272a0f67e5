/*
 * Entry from the boot loader (QEMU -kernel, or any arm64 Linux loader): the
 * Image header of Documentation/arch/arm64/booting.rst, then, at EL2 with the
 * MMU off and x0 = the DTB's physical address, a stack, a zeroed BSS, the
 * EL2 vectors, the stage-1 identity map and C.
 */
#define SECONDARY_STACK_SHIFT 14      /* 16 KiB each, smp.c */

    .section .text.head, "ax"
    .globl _start
_start:
    b       primary_entry           /* code0 */
    .long   0                       /* code1 */
    .quad   0x80000                 /* text_offset: loaded at a 2 MiB boundary + 512 KiB */
    .quad   __hv_size               /* image_size, BSS included */
    .quad   0                       /* flags: little endian, any page size, 2 MiB base */
    .quad   0, 0, 0                 /* res2-4 */
    .ascii  "ARM\x64"               /* magic */
    .long   0                       /* res5 (no PE header) */

primary_entry:
    mov     x19, x0                 /* DTB */
    msr     daifset, #0xf
    mrs     x1, CurrentEL
    cmp     x1, #(2 << 2)
    b.ne    not_el2
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    stp     xzr, xzr, [x1], #16
    b       1b
2:  ldr     x1, =boot_stack_top
    mov     sp, x1
    ldr     x1, =el2_vectors
    msr     vbar_el2, x1
    isb
    bl      mmu_init_el2
    mov     x29, xzr                /* the outermost frame: backtraces end here */
    mov     x0, x19
    bl      arm64_start
3:  wfe
    b       3b

/* A secondary pCPU, started by smp.c through PSCI CPU_ON: at EL2, MMU off,
 * x0 = its index. Its stack is secondary_stacks[index]; then the shared
 * vectors and stage-1 tables, and C. */
    .globl secondary_entry
secondary_entry:
    msr     daifset, #0xf
    mov     x19, x0
    ldr     x1, =secondary_stacks
    add     x0, x0, #1
    add     x1, x1, x0, lsl #SECONDARY_STACK_SHIFT
    mov     sp, x1
    ldr     x1, =el2_vectors
    msr     vbar_el2, x1
    isb
    bl      mmu_enable_el2
    mov     x29, xzr
    mov     x0, x19
    bl      smp_secondary_start
6:  wfi
    b       6b

/* Not at EL2 (QEMU without virtualization=on): say so on QEMU virt's PL011
 * (the only address we can know without a DTB walk) and power off through
 * PSCI, whose conduit is HVC when there is no EL2. */
not_el2:
    ldr     x1, =0x09000000
    adr     x2, not_el2_msg
4:  ldrb    w3, [x2], #1
    cbz     w3, 5f
    str     w3, [x1]
    b       4b
5:  ldr     x0, =0x84000008         /* PSCI SYSTEM_OFF */
    hvc     #0
    b       3b
not_el2_msg:
    .asciz  "(HV) [ERR] dbgvisor must be entered at EL2 (QEMU: -M virt,virtualization=on)\r\n"

    .bss
    .balign 16
boot_stack:
    .skip   16384
boot_stack_top:
