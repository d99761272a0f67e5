/* Minimal multiboot v1 test kernel for the domain-builder tests: header,
 * an entry that halts, and BSS to be zeroed. Linked at 1 MiB as ELF32. */
    .section .text
    .align 4
mb_header:
    .long 0x1BADB002
    .long 0x00000003                    /* page-align, memory info */
    .long -(0x1BADB002 + 0x00000003)
    .globl _start
_start:
    hlt
    jmp _start
    .section .data
    .ascii "dbgvisor-test-kernel"
    .section .bss
    .space 8192
