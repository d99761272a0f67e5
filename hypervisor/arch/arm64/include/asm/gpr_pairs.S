/* gpr_pairs OP, BASE, OFFSET: OP (stp or ldp) of x2-x29 in pairs at BASE +
 * OFFSET, OFFSET + 16, ... : the layout of x0-x30 in struct guest_regs and in
 * the guest library's struct trap_frame. Included by assembly files only. */
.macro gpr_pairs op, base, offset
    .set .Lgpr_off, \offset
    .irp pair, "x2, x3", "x4, x5", "x6, x7", "x8, x9", "x10, x11", "x12, x13", "x14, x15", "x16, x17", "x18, x19", "x20, x21", "x22, x23", "x24, x25", "x26, x27", "x28, x29"
    \op     \pair, [\base, #.Lgpr_off]
    .set .Lgpr_off, .Lgpr_off + 16
    .endr
.endm
