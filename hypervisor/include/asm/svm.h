/* AMD SVM: VMCB layout (AMD64 APM vol. 2, appendix B) and exit codes. */
#ifndef ASM_SVM_H
#define ASM_SVM_H

#include <stdint.h>

struct vmcb_seg {
    uint16_t sel, attrib;
    uint32_t limit;
    uint64_t base;
};

struct vmcb_control {
    uint32_t intercept_cr;          /* 0x000: reads 0-15, writes 16-31 */
    uint32_t intercept_dr;          /* 0x004: reads 0-15, writes 16-31 */
    uint32_t intercept_exceptions;  /* 0x008 */
    uint32_t intercept_misc1;       /* 0x00C */
    uint32_t intercept_misc2;       /* 0x010 */
    uint32_t intercept_misc3;       /* 0x014 */
    uint8_t  rsvd0[0x03C - 0x018];
    uint16_t pause_filter_thresh;   /* 0x03C */
    uint16_t pause_filter_count;    /* 0x03E */
    uint64_t iopm_base_pa;          /* 0x040 */
    uint64_t msrpm_base_pa;         /* 0x048 */
    uint64_t tsc_offset;            /* 0x050 */
    uint32_t asid;                  /* 0x058 */
    uint8_t  tlb_control;           /* 0x05C */
    uint8_t  rsvd1[3];
    uint64_t int_ctl;               /* 0x060 */
    uint64_t int_state;             /* 0x068: bit 0 interrupt shadow */
    uint64_t exitcode;              /* 0x070 */
    uint64_t exitinfo1;             /* 0x078 */
    uint64_t exitinfo2;             /* 0x080 */
    uint64_t exitintinfo;           /* 0x088 */
    uint64_t np_enable;             /* 0x090 */
    uint64_t avic_apic_bar;         /* 0x098 */
    uint64_t ghcb_pa;               /* 0x0A0 */
    uint64_t eventinj;              /* 0x0A8 */
    uint64_t n_cr3;                 /* 0x0B0 */
    uint64_t virt_ext;              /* 0x0B8 */
    uint32_t clean_bits;            /* 0x0C0 */
    uint32_t rsvd2;
    uint64_t next_rip;              /* 0x0C8 */
    uint8_t  insn_len;              /* 0x0D0 */
    uint8_t  insn_bytes[15];
    uint8_t  rsvd3[0x400 - 0x0E0];
};

struct vmcb_save {
    struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
    uint8_t  rsvd0[0x4CB - 0x4A0];
    uint8_t  cpl;                   /* 0x4CB */
    uint32_t rsvd1;
    uint64_t efer;                  /* 0x4D0 */
    uint8_t  rsvd2[0x548 - 0x4D8];
    uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip; /* 0x548 */
    uint8_t  rsvd3[0x5D8 - 0x580];
    uint64_t rsp;                   /* 0x5D8 */
    uint8_t  rsvd4[0x5F8 - 0x5E0];
    uint64_t rax;                   /* 0x5F8 */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip, cr2; /* 0x628 */
    uint8_t  rsvd5[0x668 - 0x648];
    uint64_t g_pat, dbgctl, br_from, br_to, lastexcpfrom, lastexcpto; /* 0x668 */
};

struct vmcb {
    struct vmcb_control control;
    struct vmcb_save save;
    uint8_t pad[4096 - 0x400 - sizeof(struct vmcb_save)];
} __attribute__((aligned(4096)));

_Static_assert(sizeof(struct vmcb_control) == 0x400, "vmcb control size");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4CB, "vmcb cpl");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4D0, "vmcb efer");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr4) == 0x548, "vmcb cr4");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5D8, "vmcb rsp");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5F8, "vmcb rax");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr2) == 0x640, "vmcb cr2");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "vmcb gpat");
_Static_assert(sizeof(struct vmcb) == 4096, "vmcb size");

/* intercept_misc1 */
#define SVM_INTERCEPT_INTR      (1u << 0)
#define SVM_INTERCEPT_NMI       (1u << 1)
#define SVM_INTERCEPT_SMI       (1u << 2)
#define SVM_INTERCEPT_INIT      (1u << 3)
#define SVM_INTERCEPT_VINTR     (1u << 4)
#define SVM_INTERCEPT_CPUID     (1u << 18)
#define SVM_INTERCEPT_IRET      (1u << 20)
#define SVM_INTERCEPT_INTN      (1u << 21)
#define SVM_INTERCEPT_INVD      (1u << 22)
#define SVM_INTERCEPT_HLT       (1u << 24)
#define SVM_INTERCEPT_IOIO      (1u << 27)
#define SVM_INTERCEPT_MSR       (1u << 28)
#define SVM_INTERCEPT_TASKSW    (1u << 29)
#define SVM_INTERCEPT_SHUTDOWN  (1u << 31)
/* intercept_misc2 */
#define SVM_INTERCEPT_VMRUN     (1u << 0)
#define SVM_INTERCEPT_VMMCALL   (1u << 1)
#define SVM_INTERCEPT_VMLOAD    (1u << 2)
#define SVM_INTERCEPT_VMSAVE    (1u << 3)
#define SVM_INTERCEPT_STGI      (1u << 4)
#define SVM_INTERCEPT_CLGI      (1u << 5)
#define SVM_INTERCEPT_SKINIT    (1u << 6)
#define SVM_INTERCEPT_RDTSCP    (1u << 7)
#define SVM_INTERCEPT_ICEBP     (1u << 8)
#define SVM_INTERCEPT_WBINVD    (1u << 9)
#define SVM_INTERCEPT_MONITOR   (1u << 10)
#define SVM_INTERCEPT_MWAIT     (1u << 11)

/* int_ctl */
#define SVM_V_TPR_MASK          0xfull
#define SVM_V_IRQ               (1ull << 8)
#define SVM_V_IGN_TPR           (1ull << 20)
#define SVM_V_INTR_MASKING      (1ull << 24)
#define SVM_V_INTR_VECTOR_SHIFT 32

/* eventinj / exitintinfo */
#define SVM_EVTINJ_VALID        (1ull << 31)
#define SVM_EVTINJ_VALID_ERR    (1ull << 11)
#define SVM_EVTINJ_TYPE_INTR    (0ull << 8)
#define SVM_EVTINJ_TYPE_NMI     (2ull << 8)
#define SVM_EVTINJ_TYPE_EXEPT   (3ull << 8)
#define SVM_EVTINJ_TYPE_SOFT    (4ull << 8)

#define SVM_INTERCEPT_XSETBV    (1u << 13)
/* intercept_cr */
#define SVM_INTERCEPT_CR_WRITE(n) (1u << (16 + (n)))

/* exit codes */
#define SVM_EXIT_WRITE_CR0      0x010
#define SVM_EXIT_WRITE_CR3      0x013
#define SVM_EXIT_WRITE_CR4      0x014
#define SVM_EXIT_WRITE_CR8      0x018
#define SVM_EXIT_READ_DR0       0x020
#define SVM_EXIT_WRITE_DR0      0x030
#define SVM_EXIT_EXCP_BASE      0x040
#define SVM_EXIT_INTR           0x060
#define SVM_EXIT_NMI            0x061
#define SVM_EXIT_SMI            0x062
#define SVM_EXIT_INIT           0x063
#define SVM_EXIT_VINTR          0x064
#define SVM_EXIT_CPUID          0x072
#define SVM_EXIT_IRET           0x074
#define SVM_EXIT_SWINT          0x075
#define SVM_EXIT_INVD           0x076
#define SVM_EXIT_PAUSE          0x077
#define SVM_EXIT_HLT            0x078
#define SVM_EXIT_IOIO           0x07B
#define SVM_EXIT_MSR            0x07C
#define SVM_EXIT_TASK_SWITCH    0x07D
#define SVM_EXIT_SHUTDOWN       0x07F
#define SVM_EXIT_VMRUN          0x080
#define SVM_EXIT_VMMCALL        0x081
#define SVM_EXIT_VMLOAD         0x082
#define SVM_EXIT_VMSAVE         0x083
#define SVM_EXIT_STGI           0x084
#define SVM_EXIT_CLGI           0x085
#define SVM_EXIT_SKINIT         0x086
#define SVM_EXIT_RDTSCP         0x087
#define SVM_EXIT_ICEBP          0x088
#define SVM_EXIT_WBINVD         0x089
#define SVM_EXIT_MONITOR        0x08A
#define SVM_EXIT_MWAIT          0x08B
#define SVM_EXIT_XSETBV         0x08D
#define SVM_EXIT_NPF            0x400
#define SVM_EXIT_INVALID        ((uint64_t)-1)

/* IOIO exitinfo1 */
#define SVM_IOIO_IN             (1u << 0)
#define SVM_IOIO_STR            (1u << 2)
#define SVM_IOIO_REP            (1u << 3)
#define SVM_IOIO_SIZE_SHIFT     4
#define SVM_IOIO_PORT_SHIFT     16

/* NPF exitinfo1 */
#define SVM_NPF_PRESENT         (1u << 0)
#define SVM_NPF_WRITE           (1u << 1)
#define SVM_NPF_FETCH           (1u << 4)

#endif
