/* Guest entry: arm64 Image header, then EL1 with the MMU off and x0 = DTB. */
    .section .text.head, "ax"
    .globl _start
_start:
    b       1f
    .long   0
    .quad   0x80000                 /* text_offset: linked at RAM base + 512 KiB */
    .quad   __image_size
    .quad   0                       /* little endian, 2 MiB-aligned base */
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0
1:  mov     x19, x0
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
2:  cmp     x1, x2
    b.hs    3f
    str     xzr, [x1], #8
    b       2b
3:  ldr     x1, =boot_dtb
    str     x19, [x1]
    ldr     x1, =__stack_top
    mov     sp, x1
    ldr     x1, =el1_vectors
    msr     vbar_el1, x1
    isb
    bl      guest_start
    b       .
