/*
 * libdebugctl domain builder: Xen's model, the toolstack loads the guest.
 * The image parsing and multiboot layout are hypervisor/common/mbimage.c,
 * shared with the hypervisor's boot-time builder; a Linux bzImage is told
 * apart by its own setup header (hypervisor/common/bzimage.c), an arm64
 * Image by its header (dbgvisor/arm64_image.h), for an arm64 hypervisor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbgvisor/arm64_image.h>
#include <dbgvisor/bzimage.h>
#include <dbgvisor/mbimage.h>
#include "private.h"

#define IMAGE_MAX (256u << 20)

DBGCTL_EXPORT int dbgctl_read_file(const char *path, void **buf, size_t *len)
{
    struct stat st;
    uint8_t *data = NULL;
    size_t done = 0;
    int fd, rc;

    *buf = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if ( fd < 0 )
        return -errno;
    if ( fstat(fd, &st) < 0 )
    {
        rc = -errno;
        goto out;
    }
    if ( !S_ISREG(st.st_mode) )
    {
        rc = -EINVAL;
        goto out;
    }
    if ( st.st_size == 0 || (uint64_t)st.st_size > IMAGE_MAX )
    {
        rc = st.st_size ? -EFBIG : -ENOEXEC;
        goto out;
    }
    data = malloc(st.st_size);
    if ( !data )
    {
        rc = -ENOMEM;
        goto out;
    }
    while ( done < (size_t)st.st_size )
    {
        ssize_t n = read(fd, data + done, st.st_size - done);

        if ( n < 0 && errno == EINTR )
            continue;
        if ( n <= 0 )
        {
            rc = n < 0 ? -errno : -EIO;
            goto out;
        }
        done += n;
    }
    *buf = data;
    *len = done;
    data = NULL;
    rc = 0;
 out:
    free(data);
    close(fd);
    return rc;
}

struct writer {
    dbgctl *h;
    uint32_t domid;
};

static int write_guest(void *opaque, uint64_t gpa, const void *data,
                       uint64_t len)
{
    struct writer *w = opaque;

    if ( !data )
        return 0;   /* BSS: a new domain's memory is already zeroed */
    return dbgctl_mem_write(w->h, w->domid, gpa, data, len);
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if ( !err || !errlen )
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Multiboot: EIP = entry, EAX = magic, EBX = info, 32-bit flat state; the
 * ramdisk, if any, is the kernel's one module (QEMU's -initrd). */
static int load_multiboot(const struct dbgctl_build *b, const struct mbimage *mb,
                          struct writer *w, struct dbgv_ctl_vcpu_regs *regs,
                          const char **why)
{
    struct mbimage_boot boot;
    struct mbimage_module mod = { .data = b->ramdisk, .len = b->ramdisk_len,
                                  .string = b->ramdisk_path };
    int rc = mbimage_load(mb, b->image, b->image_len, (uint64_t)b->memory_mib << 20,
                          b->kernel_path, b->cmdline, &mod, b->ramdisk ? 1 : 0,
                          write_guest, w, &boot, why);

    if ( rc )
        return rc;
    regs->mode = DBGV_VCPU_MODE_PM32;
    regs->mask = DBGV_REG_RIP | DBGV_REG_RAX | DBGV_REG_RBX | DBGV_REG_RFLAGS;
    regs->rip = boot.eip;
    regs->rax = boot.eax;
    regs->rbx = boot.ebx;
    regs->rflags = 0x2;         /* IF=0, reserved bit 1 */
    return 0;
}

/* Linux boot protocol: the hypervisor knows the loader's fixed layout
 * (GDT, page tables) from the mode; RIP and RSI = boot_params are ours. */
static int load_linux(const struct dbgctl_build *b, const struct bzimage *bz,
                      struct writer *w, struct dbgv_ctl_vcpu_regs *regs,
                      const char **why)
{
    struct bzimage_boot boot;
    int rc = bzimage_load(bz, b->image, b->image_len, (uint64_t)b->memory_mib << 20,
                          b->cmdline, b->ramdisk, b->ramdisk_len, write_guest, w,
                          &boot, why);

    if ( rc )
        return rc;
    regs->mode = boot.mode == BZ_ENTRY_64 ? DBGV_VCPU_MODE_LINUX64 : DBGV_VCPU_MODE_PM32;
    regs->mask = DBGV_REG_RIP | DBGV_REG_RSI | DBGV_REG_RFLAGS;
    regs->rip = boot.rip;
    regs->rsi = boot.rsi;
    regs->rflags = 0x2;
    return 0;
}

/* arm64 Image (QEMU virt's contract, docs/arm64.md): the file at RAM base +
 * text_offset, below the last 2 MiB where the hypervisor writes the domain's
 * device tree; the ramdisk where the boot-time builder puts one
 * (arm64_initrd_place), the command line where the tree will go (the
 * hypervisor reads it first). PC = the entry, the rest of the boot state is
 * the mode's; the hypervisor names the command line and ramdisk in /chosen. */
static int load_arm64(const struct dbgctl_build *b, const struct arm64_image *img,
                      struct writer *w, struct dbgv_ctl_vcpu_regs *regs,
                      const char **why)
{
    uint64_t ram = (uint64_t)b->memory_mib << 20;
    uint64_t entry = ARM64_VIRT_RAM_BASE + img->text_offset;
    size_t cmdlen = b->cmdline ? strlen(b->cmdline) : 0;
    int rc;

    if ( ram < ARM64_DTB_RESERVE || img->text_offset > ram - ARM64_DTB_RESERVE ||
         img->span > ram - ARM64_DTB_RESERVE - img->text_offset )
    {
        *why = "the Image does not fit below the device tree";
        return -E2BIG;
    }
    if ( cmdlen >= DBGV_CTL_CMDLINE_MAX )
    {
        *why = "the command line is longer than 255 bytes";
        return -E2BIG;
    }
    if ( (rc = write_guest(w, entry, b->image, b->image_len)) )
    {
        *why = "writing the Image";
        return rc;
    }
    regs->mode = DBGV_VCPU_MODE_ARM64_LINUX;
    regs->mask = DBGV_REG_RIP;
    regs->rip = entry;
    if ( b->ramdisk )
    {
        uint64_t start = arm64_initrd_place(ARM64_VIRT_RAM_BASE, ram, entry + img->span,
                                            b->ramdisk_len);

        if ( !start )
        {
            *why = "the ramdisk does not fit between the Image and the device tree";
            return -E2BIG;
        }
        if ( (rc = write_guest(w, start, b->ramdisk, b->ramdisk_len)) )
        {
            *why = "writing the ramdisk";
            return rc;
        }
        regs->mask |= DBGV_REG_ARM64_INITRD;
        regs->initrd_start = start;
        regs->initrd_end = start + b->ramdisk_len;
    }
    if ( cmdlen )
    {
        regs->cmdline_ipa = ARM64_VIRT_RAM_BASE + ram - ARM64_DTB_RESERVE;
        if ( (rc = write_guest(w, regs->cmdline_ipa, b->cmdline, cmdlen + 1)) )
        {
            *why = "writing the command line";
            return rc;
        }
        regs->mask |= DBGV_REG_ARM64_CMDLINE;
    }
    return 0;
}

DBGCTL_EXPORT int dbgctl_domain_build(dbgctl *h, const struct dbgctl_build *b,
                                      uint32_t *domid, char *err,
                                      size_t errlen)
{
    struct dbgv_ctl_vcpu_regs regs;
    union { struct mbimage mb; struct bzimage bz; struct arm64_image arm; } img;
    struct writer w = { .h = h };
    const char *why = NULL;
    bool created = false;
    unsigned int policy;
    int rc;

    seterr(err, errlen, "%s", "");
    if ( !b->name || !b->image || b->memory_mib == 0 || b->nr_vcpus == 0 ||
         b->policy >= DBGV_POLICY_COUNT )
    {
        seterr(err, errlen, "invalid domain configuration");
        rc = -EINVAL;
        goto out;
    }
    policy = b->policy < 0 ? DBGV_POLICY_DEFAULT : (unsigned int)b->policy;

    /* Check the image before a domain exists to clean up after. */
    bool is_arm64 = arm64_image_parse(b->image, b->image_len, &img.arm);
    bool is_linux = !is_arm64 && bzimage_probe(b->image, b->image_len);
    if ( is_arm64 )
        rc = 0;
    else if ( is_linux )
        rc = bzimage_parse(b->image, b->image_len, &img.bz, &why);
    else
        rc = mbimage_parse(b->image, b->image_len, &img.mb, &why);
    if ( rc )
    {
        seterr(err, errlen, "bad %skernel image: %s", is_linux ? "Linux " : "", why);
        goto out;
    }

    struct dbgv_ctl_domain_create req = {
        .memory_mib = b->memory_mib, .nr_vcpus = b->nr_vcpus, .debug_policy = (uint8_t)policy,
        .unbacked_access = (uint8_t)b->unbacked_access, .timer_mode = (uint8_t)b->timer_mode,
        .quiet_switches = b->quiet_switches,
    };
    if ( strlen(b->name) >= sizeof(req.name) || b->unbacked_access >= DBGV_UNBACKED_COUNT ||
         b->timer_mode >= DBGV_TIMER_MODE_COUNT )
        rc = -EINVAL;
    else
    {
        memcpy(req.name, b->name, strlen(b->name));
        rc = dbgctl_domain_create_req(h, &req, &w.domid);
    }
    if ( rc )
    {
        seterr(err, errlen, "creating domain: %s", dbgctl_strerror(rc));
        goto out;
    }
    created = true;

    memset(&regs, 0, sizeof(regs));
    regs.domid = w.domid;
    regs.vcpu = 0;
    if ( is_arm64 )
        rc = load_arm64(b, &img.arm, &w, &regs, &why);
    else if ( is_linux )
        rc = load_linux(b, &img.bz, &w, &regs, &why);
    else
        rc = load_multiboot(b, &img.mb, &w, &regs, &why);
    if ( rc )
    {
        seterr(err, errlen, "loading kernel: %s: %s", why, dbgctl_strerror(rc));
        goto out;
    }
    if ( (rc = dbgctl_vcpu_set_regs(h, &regs)) )
    {
        seterr(err, errlen, "setting entry registers: %s", dbgctl_strerror(rc));
        goto out;
    }
    if ( !b->paused && (rc = dbgctl_domain_unpause(h, w.domid)) )
    {
        seterr(err, errlen, "unpausing domain: %s", dbgctl_strerror(rc));
        goto out;
    }
    *domid = w.domid;
    created = false;
 out:
    if ( created )
        dbgctl_domain_destroy(h, w.domid);
    return rc;
}
