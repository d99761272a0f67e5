/*
 * Reading the arm64 boot bundle (asm/boot_bundle.h): bounds-checked, every
 * value validated before setup.c builds anything. Also built hosted for the
 * unit tests (xen-tests/unit/arm64).
 */
#include <dbgvisor/lib.h>
#include <public/debug.h>
#include <asm/boot_bundle.h>

#define LINE_MAX_LEN 512

void boot_domain_defaults(struct boot_domain *b)
{
    memset(b, 0, sizeof(*b));
    memcpy(b->name, "guest", 6);
    memcpy(b->policy, "trap", 5);
    b->mem_mib = BOOT_DEFAULT_MEM_MIB;
    b->vcpus = 1;
    b->quiet_switches = DBGV_ADAPTIVE_QUIET_SWITCHES_DEFAULT;
}

/* A decimal number of at most 9 digits; false if anything else. */
static bool parse_uint(const char *s, unsigned *out)
{
    unsigned v = 0, n = 0;

    for (; *s; s++, n++) {
        if (*s < '0' || *s > '9' || n >= 9)
            return false;
        v = v * 10 + (unsigned)(*s - '0');
    }
    *out = v;
    return n > 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned n = 0;

    for (; *s; s++, n++) {
        if (*s < '0' || *s > '9' || n >= 15)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return n > 0;
}

/* 0x-prefixed hex, as addresses are written. */
static bool parse_hex(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    unsigned n = 0;

    if (s[0] != '0' || s[1] != 'x')
        return false;
    for (s += 2; *s; s++, n++) {
        unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0')
                   : *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10) : 16;
        if (d > 15 || n >= 16)
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return n > 0;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n >= BOOT_NAME_LEN)
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

static bool copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (n >= size)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

bool boot_domain_set(struct boot_domain *b, const char *key, const char *value,
                     const char **err)
{
    unsigned n;

    if (strcmp(key, "name") == 0) {
        if (!valid_name(value) || !copy_str(b->name, sizeof(b->name), value))
            return *err = "name: 1-31 of A-Z a-z 0-9 _ . -", false;
    } else if (strcmp(key, "mem") == 0) {
        if (!parse_uint(value, &n) || n < 2 || n > BOOT_MAX_MEM_MIB)
            return *err = "mem: 2 to 1024 MiB", false;
        b->mem_mib = (n + 1) & ~1u;
    } else if (strcmp(key, "vcpus") == 0) {
        if (!parse_uint(value, &n) || n < 1 || n > BOOT_MAX_VCPUS)
            return *err = "vcpus: 1 to 8", false;
        b->vcpus = n;
    } else if (strcmp(key, "policy") == 0) {
        if (!copy_str(b->policy, sizeof(b->policy), value))
            return *err = "policy: too long", false;
    } else if (strcmp(key, "quiet") == 0) {
        if (!parse_uint(value, &b->quiet_switches))
            return *err = "quiet: a number of switch-outs", false;
    } else if (strcmp(key, "paused") == 0) {
        if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
            return *err = "paused: 0 or 1", false;
        b->paused = value[0] == '1';
    } else if (strcmp(key, "hostbp") == 0) {
        if (!parse_hex(value, &b->host_bp) || !b->host_bp || (b->host_bp & 3))
            return *err = "hostbp: a word-aligned address (0x...)", false;
    } else if (strcmp(key, "cmdline") == 0) {
        if (!copy_str(b->cmdline, sizeof(b->cmdline), value))
            return *err = "cmdline: longer than 255 bytes", false;
    } else {
        return *err = "unknown key", false;
    }
    return true;
}

bool bundle_is(const void *blob, uint64_t len)
{
    size_t n = sizeof(BUNDLE_MAGIC) - 1;

    return len >= n && memcmp(blob, BUNDLE_MAGIC, n) == 0;
}

/* One "domain ..." line (NUL-terminated, no newline) into b; *size its image's,
 * *ramdisk its ramdisk's (0: none). */
static bool parse_domain_line(char *line, struct boot_domain *b, uint64_t *size,
                              uint64_t *ramdisk, const char **err)
{
    char *p = line + 7;
    bool have_name = false;

    if (strncmp(line, "domain ", 7) != 0)
        return *err = "a header line is not 'domain ...'", false;
    boot_domain_defaults(b);
    *size = *ramdisk = 0;
    while (*p) {
        char *key = p, *eq, *end;
        if (*p == ' ') {
            p++;
            continue;
        }
        eq = strchr(p, '=');
        if (!eq || eq == key)
            return *err = "expected key=value", false;
        *eq = 0;
        if (strcmp(key, "cmdline") == 0) {          /* the rest of the line */
            if (!boot_domain_set(b, key, eq + 1, err))
                return false;
            break;
        }
        end = strchr(eq + 1, ' ');
        if (end)
            *end = 0;
        if (strcmp(key, "size") == 0) {
            if (!parse_u64(eq + 1, size) || *size == 0)
                return *err = "size: the image's length in bytes", false;
        } else if (strcmp(key, "ramdisk") == 0) {
            if (!parse_u64(eq + 1, ramdisk) || *ramdisk == 0)
                return *err = "ramdisk: the ramdisk's length in bytes", false;
        } else if (!boot_domain_set(b, key, eq + 1, err)) {
            return false;
        }
        have_name |= strcmp(key, "name") == 0;
        p = end ? end + 1 : eq + 1 + strlen(eq + 1);
    }
    if (!have_name || *size == 0)
        return *err = "a domain line needs name= and size=", false;
    return true;
}

int bundle_parse(const void *blob, uint64_t len, struct boot_domain *out, unsigned max,
                 const char **err)
{
    const char *hdr = blob;
    uint64_t hdr_len = len < BUNDLE_HEADER_MAX ? len : BUNDLE_HEADER_MAX;
    uint64_t pos = sizeof(BUNDLE_MAGIC) - 1, offset = BUNDLE_ALIGN;
    unsigned n = 0, i;

    if (!bundle_is(blob, len))
        return *err = "not a dbgvisor-arm64-bundle 1", -1;
    for (;;) {
        char line[LINE_MAX_LEN];
        uint64_t end = pos, size, ramdisk;

        while (end < hdr_len && hdr[end] != '\n')
            end++;
        if (end >= hdr_len)
            return *err = "the header does not end with an empty line in its first 4 KiB", -1;
        if (end == pos)
            break;                                  /* the empty line */
        if (end - pos >= sizeof(line))
            return *err = "header line too long", -1;
        if (n >= max)
            return *err = "too many domains", -1;
        memcpy(line, hdr + pos, end - pos);
        line[end - pos] = 0;
        if (strlen(line) != end - pos)
            return *err = "NUL inside the header", -1;
        if (!parse_domain_line(line, &out[n], &size, &ramdisk, err))
            return -1;
        if (offset > len || size > len - offset)
            return *err = "an image runs past the end of the bundle", -1;
        out[n].image = (const uint8_t *)blob + offset;
        out[n].image_size = size;
        offset += (size + BUNDLE_ALIGN - 1) / BUNDLE_ALIGN * BUNDLE_ALIGN;
        if (ramdisk) {                              /* right after its Image */
            if (offset > len || ramdisk > len - offset)
                return *err = "a ramdisk runs past the end of the bundle", -1;
            out[n].ramdisk = (const uint8_t *)blob + offset;
            out[n].ramdisk_size = ramdisk;
            offset += (ramdisk + BUNDLE_ALIGN - 1) / BUNDLE_ALIGN * BUNDLE_ALIGN;
        }
        n++;
        pos = end + 1;
    }
    if (n == 0)
        return *err = "no domain in the bundle", -1;
    for (i = 0; i < n; i++) {
        unsigned j;
        for (j = 0; j < i; j++)
            if (strcmp(out[i].name, out[j].name) == 0)
                return *err = "two domains with the same name", -1;
    }
    return (int)n;
}
