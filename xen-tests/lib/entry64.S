/* 64-bit flavour: enter at 32 bits, build identity page tables for the
 * first 4 GiB with 2 MiB pages (user-accessible, so ring-3 tests can run
 * kernel code), switch to long mode. */
#define CODE64_SEL 0x08
#define DATA_SEL   0x10
#define CODE32_SEL 0x18
#define PTE_P   0x001
#define PTE_RW  0x002
#define PTE_US  0x004
#define PTE_PS  0x080

    .code32
    .section .text.entry, "ax"
    .globl _start
_start:
    cli
    cld
    mov %eax, mb_magic          /* the loader's magic, before anything clobbers it */
    lgdt gdt64_desc
    ljmp $CODE32_SEL, $1f
1:  mov $DATA_SEL, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov %ebx, boot_mb_info

    /* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3; 2048 x 2 MiB pages. */
    mov $pdpt, %eax
    or $(PTE_P | PTE_RW | PTE_US), %eax
    mov %eax, pml4
    mov $pd, %eax
    or $(PTE_P | PTE_RW | PTE_US), %eax
    xor %ecx, %ecx
2:  mov %eax, pdpt(, %ecx, 8)
    add $4096, %eax
    inc %ecx
    cmp $4, %ecx
    jne 2b
    mov $(PTE_P | PTE_RW | PTE_US | PTE_PS), %eax
    xor %edx, %edx              /* bits 32+ of the physical address */
    xor %ecx, %ecx
3:  mov %eax, pd(, %ecx, 8)
    mov %edx, pd + 4(, %ecx, 8)
    add $0x200000, %eax
    adc $0, %edx
    inc %ecx
    cmp $2048, %ecx
    jne 3b

    mov $bsp_long, %esi
    jmp enter_long_mode

/* Common 32 -> 64 switch; page tables already built. ESI = 64-bit target. */
enter_long_mode:
    mov %cr4, %eax
    or $0x20, %eax              /* PAE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx       /* EFER.LME */
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax        /* PG | PE */
    mov %eax, %cr0
    ljmp $CODE64_SEL, $1f
    .code64
1:  mov $DATA_SEL, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov %esi, %esi
    jmp *%rsi

bsp_long:
    lea boot_stack_top(%rip), %rsp
    mov boot_mb_info(%rip), %edi
    call guest_start
4:  cli
    hlt
    jmp 4b

    .code32
    .globl ap_entry32
ap_entry32:
    mov %edx, ap_boot_edx       /* EDX as INIT left it: family/model/stepping */
    lgdt gdt64_desc
    ljmp $CODE32_SEL, $1f
1:  mov $DATA_SEL, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $ap_long, %esi
    jmp enter_long_mode
    .code64
ap_long:
    mov ap_stack_top(%rip), %rsp    /* upper RSP bits are undefined after the switch */
    call ap_start_c
5:  cli
    hlt
    jmp 5b

/* long run_user(long (*fn)(void)): call fn at CPL3. trap_dispatch sends the
 * CPU back to run_user_return on `int $0x80` or on any exception at CPL3. */
    .globl run_user, run_user_return
run_user:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, user_saved_rsp(%rip)
    movl $1, user_active(%rip)
    push $0x23                  /* SS: user data | RPL3 */
    lea user_stack_top(%rip), %rax
    push %rax
    push $0x2                   /* RFLAGS: IF=0 */
    push $0x2b                  /* CS: user code64 | RPL3 */
    lea user_trampoline(%rip), %rax
    push %rax
    iretq
user_trampoline:
    call *%rdi
    mov %rax, %rdi
    int $0x80
    ud2
run_user_return:
    mov user_saved_rsp(%rip), %rsp
    movl $0, user_active(%rip)
    mov $DATA_SEL, %cx
    mov %cx, %ds
    mov %cx, %es
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

    .section .data
    .align 16
    .globl gdt64
gdt64:
    .quad 0
    .quad 0x00AF9A000000FFFF    /* 0x08 code64 */
    .quad 0x00CF92000000FFFF    /* 0x10 data */
    .quad 0x00CF9A000000FFFF    /* 0x18 code32 (mode switch only) */
    .quad 0x00CFF2000000FFFF    /* 0x20 user data, DPL3 */
    .quad 0x00AFFA000000FFFF    /* 0x28 user code64, DPL3 */
    .quad 0, 0                  /* 0x30 TSS, filled in by trap_init */
gdt64_end:
gdt64_desc:
    .word gdt64_end - gdt64 - 1
    .quad gdt64

    .section .bss
    .align 4096
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4 * 4096
    .align 16
boot_stack:
    .skip 16384
boot_stack_top:
user_stack:
    .skip 8192
user_stack_top:
    .globl user_saved_rsp, user_active
user_saved_rsp: .quad 0
user_active:    .long 0
boot_mb_info:   .long 0
