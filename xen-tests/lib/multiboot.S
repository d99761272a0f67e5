/* Multiboot v1 header, shared by both flavours. Flags: page-align modules,
 * provide memory info. The ELF headers give the load layout. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
