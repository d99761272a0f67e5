/*
 * The control backend's arm64 hooks (asm/control_arch.h): a vCPU put in the
 * Linux arm64 boot state by the toolstack's domain builder (xl create of an
 * arm64 Image), with the device tree a boot-time domain gets: the command
 * line and ramdisk the toolstack wrote into the domain's RAM go in /chosen.
 */
#include <asm/arm64.h>
#include <asm/control_arch.h>
#include <dbgvisor/arm64_image.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>

_Static_assert(DBGV_CTL_CMDLINE_MAX == DOMAIN_CMDLINE_LEN, "the domain's command line");

/* The NUL-terminated string at ipa, inside the domain's RAM, becomes its
 * command line. The server checked the mask; this checks the memory. */
static int take_cmdline(struct domain *d, uint64_t ipa)
{
    char buf[DOMAIN_CMDLINE_LEN];
    uint64_t ram_end = d->arch.ram_ipa + d->mem_bytes;
    uint64_t len;

    if (ipa < d->arch.ram_ipa || ipa >= ram_end)
        return -DBGV_EINVAL;
    len = MIN(ram_end - ipa, (uint64_t)sizeof(buf));
    if (domain_read_gpa(d, ipa, buf, len) < 0 || strnlen(buf, len) == len)
        return -DBGV_EINVAL;
    memcpy(d->cmdline, buf, sizeof(d->cmdline));
    return 0;
}

int arch_ctl_vcpu_set_regs(struct vcpu *v, const struct dbgv_ctl_vcpu_regs *r)
{
    struct domain *d = v->domain;
    uint64_t dtb_ipa = d->arch.ram_ipa + d->mem_bytes - ARM64_DTB_RESERVE;
    uint64_t start = 0, end = 0;
    int rc;

    if (r->mode != DBGV_VCPU_MODE_ARM64_LINUX || !(r->mask & DBGV_REG_RIP) ||
        (r->mask & ~DBGV_REG_ARM64_ALL))
        return -DBGV_EINVAL;
    if (r->mask & DBGV_REG_ARM64_INITRD) {
        /* In RAM, below the tree (which would overwrite it). */
        start = r->initrd_start;
        end = r->initrd_end;
        if (start < d->arch.ram_ipa || end <= start || end > dtb_ipa)
            return -DBGV_EINVAL;
    }
    if ((r->mask & DBGV_REG_ARM64_CMDLINE) && (rc = take_cmdline(d, r->cmdline_ipa)))
        return rc;
    if (arm64_domain_dtb(d, start, end, &dtb_ipa) < 0)
        return -DBGV_ENOMEM;
    arm64_vcpu_reset(v, r->rip, dtb_ipa);
    return 0;
}
