/* Boot-time domains from multiboot modules: parse each module's options,
 * create the domain, load the image with the shared multiboot loader. */
#include <dbgvisor/boot_domains.h>
#include <dbgvisor/console.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>
#include <dbgvisor/bzimage.h>
#include <dbgvisor/mbimage.h>
#include <dbgvisor/multiboot.h>
#include <dbgvisor/policy_names.h>
#include <public/control.h>
#include <asm/hvm_irq.h>
#include <asm/svm_vcpu.h>

#define DEFAULT_MEM_MIB 64

struct module_opts {
    char name[DOMAIN_NAME_LEN];
    unsigned vcpus;
    unsigned mem_mib;
    int policy;
    int unbacked;
    int timer_mode;             /* enum dbgv_timer_mode */
    unsigned quiet;
    const char *cmdline;
    bool ramdisk;               /* this module is the previous kernel's initrd */
    char path[256];             /* the image's path: the guest's argv[0] */
};

static unsigned parse_uint(const char *s, unsigned len, bool *ok)
{
    unsigned v = 0;
    *ok = len > 0 && len < 10;
    for (unsigned i = 0; i < len && *ok; i++) {
        if (s[i] < '0' || s[i] > '9')
            *ok = false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v;
}

/* Default name: the image's file name without directory and ".elf". */
static void default_name(const char *path, unsigned len, char *out)
{
    unsigned start = 0;
    for (unsigned i = 0; i < len; i++)
        if (path[i] == '/')
            start = i + 1;
    unsigned n = len - start;
    if (n > 4 && !strncmp(path + start + n - 4, ".elf", 4))
        n -= 4;
    snprintf(out, DOMAIN_NAME_LEN, "%.*s", (int)MIN(n, (unsigned)DOMAIN_NAME_LEN - 1), path + start);
}

static int parse_module_string(const char *s, struct module_opts *o)
{
    const char *p = s;
    bool ok = true;

    memset(o, 0, sizeof(*o));
    o->vcpus = 1;
    o->mem_mib = DEFAULT_MEM_MIB;
    o->policy = DBGV_POLICY_DEFAULT;
    o->quiet = DBGV_ADAPTIVE_QUIET_SWITCHES_DEFAULT;
    o->timer_mode = DBGV_TIMER_MODE_DEFAULT;
    o->cmdline = "";
    for (bool first = true; *p; first = false) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *end = strchr(p, ' ');
        unsigned len = end ? (unsigned)(end - p) : strlen(p);
        const char *eq = NULL;
        for (unsigned i = 0; i < len && !eq; i++)
            if (p[i] == '=')
                eq = p + i;
        unsigned klen = eq ? (unsigned)(eq - p) : len;
        const char *val = eq ? eq + 1 : NULL;
        unsigned vlen = eq ? len - klen - 1 : 0;

        if (first) {
            default_name(p, len, o->name);
            snprintf(o->path, sizeof(o->path), "%.*s", (int)len, p);
        } else if (len == 7 && !strncmp(p, "ramdisk", 7)) {
            o->ramdisk = true;
        } else if (len == 2 && !strncmp(p, "--", 2)) {
            o->cmdline = end ? end + 1 : "";
            break;
        } else if (val && klen == 4 && !strncmp(p, "name", 4) && vlen && vlen < DOMAIN_NAME_LEN) {
            snprintf(o->name, sizeof(o->name), "%.*s", (int)vlen, val);
        } else if (val && klen == 5 && !strncmp(p, "vcpus", 5)) {
            o->vcpus = parse_uint(val, vlen, &ok);
        } else if (val && klen == 3 && !strncmp(p, "mem", 3)) {
            o->mem_mib = parse_uint(val, vlen, &ok);
        } else if (val && klen == 5 && !strncmp(p, "quiet", 5)) {
            o->quiet = parse_uint(val, vlen, &ok);
        } else if (val && klen == 6 && !strncmp(p, "policy", 6)) {
            o->policy = dbgv_policy_parse(val, vlen);
            ok = o->policy >= 0;
        } else if (val && klen == 15 && !strncmp(p, "unbacked_access", 15)) {
            o->unbacked = dbgv_unbacked_access_parse(val, vlen);
            ok = o->unbacked >= 0;
        } else if (val && klen == 10 && !strncmp(p, "timer_mode", 10)) {
            o->timer_mode = dbgv_timer_mode_parse(val, vlen);
            ok = o->timer_mode >= 0;
        } else {
            ok = false;
        }
        if (!ok) {
            pr_err("module option '%.*s' is not valid\n", (int)len, p);
            return -1;
        }
        p += len;
    }
    return 0;
}

static int write_guest(void *opaque, uint64_t gpa, const void *data, uint64_t len)
{
    struct domain *d = opaque;
    void *dst = domain_gpa_to_hva(d, gpa, len);

    if (!dst)
        return -1;
    if (data)
        memcpy(dst, data, len);
    else
        memset(dst, 0, len);
    return 0;
}

static const char *module_string(const struct multiboot_module *m)
{
    return m->string ? (const char *)(uint64_t)m->string : "";
}

/* A Linux bzImage (and its initrd) by the boot protocol; vCPU 0 starts at the
 * 64-bit entry, or the 32-bit one for a kernel without it. */
static int load_linux(struct domain *d, const struct module_opts *o, const void *img, size_t len,
                      const struct multiboot_module *initrd, const char **why)
{
    struct bzimage bz;
    struct bzimage_boot boot;
    const void *rd = initrd ? (const void *)(uint64_t)initrd->mod_start : NULL;
    size_t rd_len = initrd ? initrd->mod_end - initrd->mod_start : 0;

    if (bzimage_parse(img, len, &bz, why) < 0 ||
        bzimage_load(&bz, img, len, d->mem_bytes, o->cmdline, rd, rd_len, write_guest, d, &boot, why) < 0)
        return -1;
    /* The toolstack's path too: the loader's fixed layout, RIP and RSI. */
    struct dbgv_ctl_vcpu_regs r = {
        .mode = boot.mode == BZ_ENTRY_64 ? DBGV_VCPU_MODE_LINUX64 : DBGV_VCPU_MODE_PM32,
        .mask = DBGV_REG_RIP | DBGV_REG_RSI, .rip = boot.rip, .rsi = boot.rsi,
    };
    svm_vcpu_set_regs(d->vcpus[0], &r);
    return 0;
}

/* A multiboot kernel gets its ramdisk as its one module, named by the
 * module's path, as QEMU's -initrd passes it. */
static int load_multiboot(struct domain *d, const struct module_opts *o, const void *img, size_t len,
                          const struct multiboot_module *initrd, const char **why)
{
    struct mbimage mb;
    struct mbimage_boot boot;
    struct module_opts rd_opts;
    struct mbimage_module mod;

    if (initrd) {
        parse_module_string(module_string(initrd), &rd_opts);
        mod = (struct mbimage_module){ .data = (const void *)(uint64_t)initrd->mod_start,
                                       .len = initrd->mod_end - initrd->mod_start,
                                       .string = rd_opts.path };
    }
    if (mbimage_parse(img, len, &mb, why) < 0 ||
        mbimage_load(&mb, img, len, d->mem_bytes, o->path, o->cmdline, initrd ? &mod : NULL,
                     initrd ? 1 : 0, write_guest, d, &boot, why) < 0)
        return -1;
    svm_vcpu_set_entry(d->vcpus[0], boot.eip, boot.eax, boot.ebx);
    return 0;
}

/* One domain from module m; initrd is the module after it when that one is
 * marked "ramdisk" (a Linux initrd, or a multiboot kernel's module). */
static void build_one(const struct multiboot_module *m, const struct multiboot_module *initrd)
{
    const char *str = module_string(m);
    const void *img = (const void *)(uint64_t)m->mod_start;
    size_t len = m->mod_end - m->mod_start;
    struct module_opts o;
    struct domain *d;
    const char *why = "";

    pr_debug("module at %#x-%#x: '%s'\n", m->mod_start, m->mod_end, str);
    if (parse_module_string(str, &o) < 0)
        return;
    bool is_linux = bzimage_probe(img, len);
    struct domain_config cfg = {
        .name = o.name, .mem_bytes = (uint64_t)o.mem_mib << 20, .vcpus = o.vcpus,
        .debug_policy = (uint8_t)o.policy, .unbacked_access = (uint8_t)o.unbacked,
        .quiet_switches = o.quiet, .cmdline = o.cmdline,
    };
    int rc = domain_create(&cfg, &d);
    if (rc < 0) {
        pr_err("domain %s: cannot create: %s\n", o.name,
               rc == -DBGV_EEXIST ? "name in use" :
               rc == -DBGV_EINVAL ? "bad vcpus, memory size or policy" :
               "out of memory or domain slots");
        return;
    }
    hvm_irq_set_timer_mode(d, (enum dbgv_timer_mode)o.timer_mode);
    if (o.timer_mode != DBGV_TIMER_MODE_DEFAULT &&          /* said only when not the default's */
        o.timer_mode != DBGV_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS)
        printk("domain %u (%s): timer_mode %s\n", d->id, d->name,
               dbgv_timer_mode_name((unsigned)o.timer_mode));
    if ((is_linux ? load_linux(d, &o, img, len, initrd, &why)
               : load_multiboot(d, &o, img, len, initrd, &why)) < 0) {
        pr_err("domain %s: cannot load %s image: %s\n", o.name,
               is_linux ? "Linux" : "multiboot", why);
        domain_destroy(d);
        return;
    }
    printk("domain %u (%s): %u vCPU%s, %llu MiB, policy %s%s\n", d->id, d->name, d->nr_vcpus,
           d->nr_vcpus > 1 ? "s" : "", (unsigned long long)(d->mem_bytes >> 20),
           dbgv_policy_name(d->debug_policy), is_linux ? ", Linux" : "");
    domain_unpause(d);
}

/* The module is a Linux initrd: its options (after the path, before "--")
 * hold the word "ramdisk". Checked without parsing, so that a module with a
 * bad option is reported once, when it is built. */
static bool is_ramdisk(const struct multiboot_module *m)
{
    const char *p = module_string(m);

    for (bool first = true; *p; first = false) {
        while (*p == ' ')
            p++;
        size_t len = strchr(p, ' ') ? (size_t)(strchr(p, ' ') - p) : strlen(p);
        if (!first && len == 2 && !strncmp(p, "--", 2))
            return false;
        if (!first && len == 7 && !strncmp(p, "ramdisk", 7))
            return true;
        p += len;
    }
    return false;
}

void boot_domains_create(const struct multiboot_info *mbi)
{
    if (!(mbi->flags & MBI_FLAG_MODS))
        return;
    const struct multiboot_module *mods = (const void *)(uint64_t)mbi->mods_addr;
    for (uint32_t i = 0; i < mbi->mods_count; i++) {
        if (is_ramdisk(&mods[i])) {
            pr_err("module %u: a ramdisk without a kernel before it\n", i);
            continue;
        }
        bool rd = i + 1 < mbi->mods_count && is_ramdisk(&mods[i + 1]);
        build_one(&mods[i], rd ? &mods[i + 1] : NULL);
        i += rd;
    }
}
