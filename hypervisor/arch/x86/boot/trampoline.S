/*
 * AP start-up: a SIPI starts the AP in real mode at AP_TRAMPOLINE_PA. The BSP
 * copies this blob there. Go to 32-bit protected mode and join the BSP's
 * long-mode entry path (enter_long_mode), which picks up ap_boot_stack.
 */
#include "boot_defs.h"

        .section .rodata
        .code16
        .globl ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
        cli
        cld
        xorw    %ax, %ax
        movw    %ax, %ds
        lgdtl   AP_TRAMPOLINE_PA + (tramp_gdt_ptr - ap_trampoline_start)
        movl    %cr0, %eax
        orl     $CR0_PE, %eax
        movl    %eax, %cr0
        ljmpl   $GDT_CS32, $(AP_TRAMPOLINE_PA + (tramp_pm - ap_trampoline_start))
        .code32
tramp_pm:
        movl    $GDT_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        movl    $enter_long_mode, %eax
        jmp     *%eax
        .align 8
tramp_gdt:
        .quad   0
        .quad   0x00af9a000000ffff
        .quad   0x00cf92000000ffff
        .quad   0x00cf9a000000ffff
tramp_gdt_ptr:
        .word   tramp_gdt_ptr - tramp_gdt - 1
        .long   AP_TRAMPOLINE_PA + (tramp_gdt - ap_trampoline_start)
ap_trampoline_end:
