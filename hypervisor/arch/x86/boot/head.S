/*
 * Multiboot v1 entry: QEMU (or GRUB) enters in 32-bit protected mode with
 * paging off. Build identity page tables for the low 4 GiB with 2 MiB pages,
 * enter long mode and call start_hypervisor(magic, mbi).
 */
#include "boot_defs.h"

        .section .multiboot, "a"
        .align 4
multiboot_header:
        .long MB_HEADER_MAGIC
        .long MB_HEADER_FLAGS
        .long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

        .section .text.boot, "ax"
        .code32
        .globl _start
_start:
        cli
        cld
        movl    %eax, boot_magic
        movl    %ebx, boot_mbi
        movl    $boot_stack_top, %esp
        call    build_boot_page_tables
        jmp     enter_long_mode

/* Identity map 0..4 GiB: PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3 of 2 MiB pages. */
build_boot_page_tables:
        movl    $boot_pml4, %edi
        xorl    %eax, %eax
        movl    $(6 * 4096 / 4), %ecx
        rep stosl
        movl    $boot_pdpt, %eax
        orl     $(PTE_P | PTE_W), %eax
        movl    %eax, boot_pml4
        xorl    %ecx, %ecx
1:      movl    %ecx, %eax
        shll    $12, %eax
        addl    $boot_pd, %eax
        orl     $(PTE_P | PTE_W), %eax
        movl    %eax, boot_pdpt(, %ecx, 8)
        incl    %ecx
        cmpl    $4, %ecx
        jne     1b
        xorl    %ecx, %ecx
2:      movl    %ecx, %eax
        shll    $21, %eax
        orl     $(PTE_P | PTE_W | PTE_PS), %eax
        movl    %eax, boot_pd(, %ecx, 8)
        movl    %ecx, %eax
        shrl    $11, %eax
        movl    %eax, boot_pd + 4(, %ecx, 8)
        incl    %ecx
        cmpl    $2048, %ecx
        jne     2b
        ret

/* Shared with the AP trampoline: expects 32-bit protected mode, paging off. */
        .globl enter_long_mode
enter_long_mode:
        movl    %cr4, %eax
        orl     $(CR4_PAE | CR4_OSFXSR), %eax
        movl    %eax, %cr4
        movl    $boot_pml4, %eax
        movl    %eax, %cr3
        movl    $MSR_EFER, %ecx
        rdmsr
        orl     $(EFER_LME | EFER_NXE), %eax
        wrmsr
        movl    %cr0, %eax
        orl     $(CR0_PG | CR0_PE | CR0_MP), %eax
        andl    $~(CR0_EM), %eax
        movl    %eax, %cr0
        lgdt    boot_gdt_ptr
        ljmp    $GDT_CS64, $long_mode_entry

        .code64
long_mode_entry:
        movl    $GDT_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    %eax, %ss
        xorl    %eax, %eax
        movl    %eax, %fs
        movl    %eax, %gs
        /* An AP arrives with its stack pointer in ap_boot_stack. */
        movq    ap_boot_stack(%rip), %rsp
        testq   %rsp, %rsp
        jnz     ap_entry
        movabsq $boot_stack_top, %rsp
        xorl    %ebp, %ebp
        movl    boot_magic(%rip), %edi
        movl    boot_mbi(%rip), %esi
        call    start_hypervisor
3:      hlt
        jmp     3b

ap_entry:
        xorl    %ebp, %ebp
        movq    ap_boot_cpu(%rip), %rdi
        movq    $0, ap_boot_stack(%rip)
        call    start_secondary
4:      hlt
        jmp     4b

        .section .data
        .align 16
        .globl boot_gdt
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff      /* 0x10: data */
        .quad   0x00cf9a000000ffff      /* 0x18: 32-bit code (AP trampoline) */
boot_gdt_end:
        .globl boot_gdt_ptr
boot_gdt_ptr:
        .word   boot_gdt_end - boot_gdt - 1
        .quad   boot_gdt

        .globl boot_magic, boot_mbi, ap_boot_stack, ap_boot_cpu
boot_magic:     .long 0
boot_mbi:       .long 0
        .align 8
ap_boot_stack:  .quad 0
ap_boot_cpu:    .quad 0

        .section .bss.pagetables, "aw", @nobits
        .align 4096
        .globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt:      .skip 4096
boot_pd:        .skip 4 * 4096

        .section .bss.stack, "aw", @nobits
        .align 16
boot_stack:     .skip BOOT_STACK_SIZE
boot_stack_top:
