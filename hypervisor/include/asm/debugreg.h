/*
 * x86 debug-register architecture facts (AMD APM vol. 2 §13, Intel SDM vol. 3 §18).
 * Pure definitions: no hardware access, so the semantics build and test hosted.
 * The debug core reaches them only through dbgvisor/debug_arch.h.
 */
#ifndef ASM_DEBUGREG_H
#define ASM_DEBUGREG_H

#include <stdbool.h>
#include <stdint.h>

#define X86_NR_BP_SLOTS 4

/* DR6: causes of the last #DB. B0-B3 are per slot; BD/BS/BT are sticky. */
#define DR6_B(n)        (1ULL << (n))
#define DR6_TRAP_BITS   0x0000000fULL       /* B0-B3 */
#define DR6_BD          (1ULL << 13)        /* MOV DR with DR7.GD set */
#define DR6_BS          (1ULL << 14)        /* single-step */
#define DR6_BT          (1ULL << 15)        /* task switch with TSS.T */
#define DR6_RTM         (1ULL << 16)        /* active low: 0 = #DB inside RTM */
#define DR6_CARRY_OVER  (DR6_BD | DR6_BS | DR6_BT) /* seed 000: kept until cleared */
/* Bits that read 1 when nothing happened: 4-11 and 16-31 (bit 16 is RTM). */
#define DR6_ACTIVE_LOW  0xffff0ff0ULL
#define DR6_FIXED_1     (DR6_ACTIVE_LOW & ~DR6_RTM)
#define DR6_VOLATILE    (DR6_TRAP_BITS | DR6_CARRY_OVER)

/* DR7: per-slot enables (L0 G0 .. L3 G3), then control, then 4 bits per slot. */
#define DR7_L(n)        (1ULL << ((n) * 2))
#define DR7_G(n)        (1ULL << ((n) * 2 + 1))
#define DR7_EN_MASK(n)  (3ULL << ((n) * 2))
#define DR7_EN_ALL      0xffULL
#define DR7_LE          (1ULL << 8)
#define DR7_GE          (1ULL << 9)
#define DR7_FIXED_1     (1ULL << 10)        /* reads as 1 */
#define DR7_RTM         (1ULL << 11)        /* writable only if RTM is offered */
#define DR7_GD          (1ULL << 13)        /* general detect: fault on MOV DR */
#define DR7_CTRL_SHIFT  16
#define DR7_CTRL_MASK(n) (0xfULL << (DR7_CTRL_SHIFT + (n) * 4))
/* Writable bits without RTM; 11-12 and 14-15 read as 0. */
#define DR7_VOLATILE    (0xffff0000ULL | DR7_GD | DR7_GE | DR7_LE | DR7_EN_ALL)
#define DR7_RESET       DR7_FIXED_1

/* R/W field of a slot. */
#define DR7_RW_EXEC     0u
#define DR7_RW_WRITE    1u
#define DR7_RW_IO       2u                  /* needs CR4.DE */
#define DR7_RW_RW       3u
/* LEN field encoding: 1, 2, 8, 4 bytes. */
#define DR7_LEN_1       0u
#define DR7_LEN_2       1u
#define DR7_LEN_8       2u
#define DR7_LEN_4       3u

/* Upper half of DR6/DR7 is reserved: a non-zero write faults in 64-bit mode. */
#define DR_UPPER_RESERVED 0xffffffff00000000ULL

static inline unsigned dr7_rw(uint64_t dr7, unsigned n)
{
    return (unsigned)(dr7 >> (DR7_CTRL_SHIFT + n * 4)) & 3u;
}

static inline unsigned dr7_len_field(uint64_t dr7, unsigned n)
{
    return (unsigned)(dr7 >> (DR7_CTRL_SHIFT + n * 4 + 2)) & 3u;
}

/* Length in bytes that a LEN field encodes. */
static inline unsigned dr7_len_bytes(unsigned field)
{
    static const unsigned char bytes[4] = { 1, 2, 8, 4 };
    return bytes[field & 3u];
}

static inline bool dr7_slot_enabled(uint64_t dr7, unsigned n)
{
    return (dr7 & DR7_EN_MASK(n)) != 0;
}

static inline uint64_t dr6_fixed_1(bool rtm)
{
    return rtm ? DR6_FIXED_1 : DR6_ACTIVE_LOW;
}

static inline uint64_t dr6_volatile(bool rtm)
{
    return rtm ? (DR6_VOLATILE | DR6_RTM) : DR6_VOLATILE;
}

/* What a MOV to register reg (aliases resolved: 0-3, 6, 7) leaves in it, or false for the
 * #GP of a reserved upper half. Outside 64-bit mode the operand is 32 bits: the upper half
 * cannot be named. */
static inline bool dr_write_value(unsigned reg, uint64_t v, bool long_mode, bool rtm,
                                  uint64_t *out)
{
    if (!long_mode)
        v = (uint32_t)v;
    switch (reg) {
    case 6:
        if (v & DR_UPPER_RESERVED)
            return false;
        *out = (v & dr6_volatile(rtm)) | dr6_fixed_1(rtm);
        return true;
    case 7:
        if (v & DR_UPPER_RESERVED)
            return false;
        *out = (v & (rtm ? DR7_VOLATILE | DR7_RTM : DR7_VOLATILE)) | DR7_FIXED_1;
        return true;
    default:
        *out = v;
        return true;
    }
}

/* A MOV DR at CPL 0 with DR7.GD clear that names DR0-3, DR6 or DR7: no fault but the value
 * rule (dr_write_value), no alias. One test, for the exit handler's fast path; everything
 * else goes through every rule (dbg_arch_check_access). dr is 0-15 as encoded. */
static inline bool dr_access_plain(unsigned cpl, unsigned dr, bool write, uint64_t dr7)
{
    /* Bit write * 16 + dr: DR0-3, DR6 and DR7 either way. */
    uint32_t plain = 0x00cf00cfu >> (((unsigned)write << 4) | (dr & 15u));

    return (plain & 1u) && (cpl | (dr7 & DR7_GD)) == 0;
}

#endif
