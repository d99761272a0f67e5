/* 32-bit flavour: flat protected mode, paging off, as the loader left us. */
#define CODE_SEL 0x08
#define DATA_SEL 0x10

    .code32
    .section .text.entry, "ax"
    .globl _start
_start:
    cli
    cld
    mov %eax, mb_magic          /* the loader's magic, before anything clobbers it */
    lgdt gdt32_desc
    ljmp $CODE_SEL, $1f
1:  mov $DATA_SEL, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    /* Zero BSS ourselves: cheap, and keeps us independent of the loader. */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov $boot_stack_top, %esp
    push %ebx                   /* multiboot info pointer */
    call guest_start
2:  cli
    hlt
    jmp 2b

/* APs arrive here from the real-mode trampoline, in protected mode with the
 * trampoline's GDT and their stack already in ESP. */
    .globl ap_entry32
ap_entry32:
    mov %edx, ap_boot_edx       /* EDX as INIT left it: family/model/stepping */
    lgdt gdt32_desc
    ljmp $CODE_SEL, $1f
1:  mov $DATA_SEL, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    call ap_start_c
2:  cli
    hlt
    jmp 2b

    .section .rodata
    .align 8
gdt32:
    .quad 0
    .quad 0x00CF9A000000FFFF    /* 0x08 code, 4 GiB */
    .quad 0x00CF92000000FFFF    /* 0x10 data, 4 GiB */
gdt32_end:
gdt32_desc:
    .word gdt32_end - gdt32 - 1
    .long gdt32

    .section .bss
    .align 16
boot_stack:
    .skip 16384
boot_stack_top:
