/* AP start-up: INIT-SIPI-SIPI starts the AP in real mode at CS:IP =
 * (vector << 8):0. smp.c copies this blob to TRAMP_BASE (below 1 MiB);
 * it switches to flat 32-bit protected mode and jumps to ap_entry32 with
 * ESP = ap_stack_top. Addresses are computed relative to TRAMP_BASE. */
#define TRAMP_BASE 0x8000
#define T(x) ((x) - trampoline_start + TRAMP_BASE)

    .section .rodata.trampoline, "a"
    .globl trampoline_start, trampoline_end
    .code16
trampoline_start:
    cli
    cld
    xor %ax, %ax
    mov %ax, %ds
    lgdtl T(tramp_gdt_desc)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $T(tramp_pm)
    .code32
tramp_pm:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov ap_stack_top, %esp
    mov $ap_entry32, %eax
    jmp *%eax
    .align 8
tramp_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF
    .quad 0x00CF92000000FFFF
tramp_gdt_desc:
    .word 23
    .long T(tramp_gdt)
trampoline_end:
