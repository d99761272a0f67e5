/*
 * The arm64 boot bundle reader (hypervisor/arch/arm64/boot_bundle.c): bundles
 * as scripts/arm64-bundle.sh writes them, and damaged ones (no empty line,
 * an image past the end, unknown keys, out-of-range values, duplicate names,
 * NUL in the header) that must be refused with a reason, never read past the
 * blob (the blob is allocated at its exact size for the sanitized build).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <public/debug.h>
#include <asm/boot_bundle.h>
#include "tests.h"

static struct boot_domain doms[BUNDLE_MAX_DOMAINS];
static const char *err;

/* A bundle of the header text and n images of the given sizes (bytes i+1). */
static uint8_t *make(const char *header, const uint64_t *sizes, unsigned n, uint64_t *len)
{
    uint64_t off = BUNDLE_ALIGN, i;
    uint8_t *b;

    for (i = 0; i < n; i++)
        off += (sizes[i] + BUNDLE_ALIGN - 1) / BUNDLE_ALIGN * BUNDLE_ALIGN;
    *len = n ? off : BUNDLE_ALIGN;
    b = calloc(1, *len);
    memcpy(b, header, strlen(header));
    off = BUNDLE_ALIGN;
    for (i = 0; i < n; i++) {
        memset(b + off, (int)(i + 1), sizes[i]);
        off += (sizes[i] + BUNDLE_ALIGN - 1) / BUNDLE_ALIGN * BUNDLE_ALIGN;
    }
    return b;
}

static int parse(const char *header, const uint64_t *sizes, unsigned n, uint64_t cut)
{
    uint64_t len;
    uint8_t *b = make(header, sizes, n, &len), *exact;
    int r;

    len -= cut;
    exact = malloc(len);
    memcpy(exact, b, len);
    err = NULL;
    r = bundle_parse(exact, len, doms, BUNDLE_MAX_DOMAINS, &err);
    if (r > 0) {        /* images point into the blob: check them before freeing */
        unsigned i;
        for (i = 0; i < (unsigned)r; i++) {
            CU_ASSERT(doms[i].image >= exact && doms[i].image + doms[i].image_size <= exact + len);
            CU_ASSERT_EQUAL(doms[i].image[0], i + 1);
            CU_ASSERT_EQUAL(doms[i].image[doms[i].image_size - 1], i + 1);
        }
    }
    free(exact);
    free(b);
    return r;
}

static void test_two_domains(void)
{
    static const uint64_t sizes[] = { 15027, 4096 };

    CU_ASSERT_EQUAL(parse("dbgvisor-arm64-bundle 1\n"
                          "domain name=a size=15027 mem=32 vcpus=2\n"
                          "domain name=b.2 size=4096 policy=adaptive quiet=3 cmdline=x=1 y, z\n\n",
                          sizes, 2, 0), 2);
    CU_ASSERT_STRING_EQUAL(doms[0].name, "a");
    CU_ASSERT_EQUAL(doms[0].mem_mib, 32);
    CU_ASSERT_EQUAL(doms[0].vcpus, 2);
    CU_ASSERT_EQUAL(doms[0].image_size, 15027);
    CU_ASSERT_STRING_EQUAL(doms[0].policy, "trap");
    CU_ASSERT_EQUAL(doms[0].quiet_switches, DBGV_ADAPTIVE_QUIET_SWITCHES_DEFAULT);
    CU_ASSERT_STRING_EQUAL(doms[0].cmdline, "");
    CU_ASSERT_STRING_EQUAL(doms[1].name, "b.2");
    CU_ASSERT_EQUAL(doms[1].mem_mib, BOOT_DEFAULT_MEM_MIB);
    CU_ASSERT_EQUAL(doms[1].vcpus, 1);
    CU_ASSERT_STRING_EQUAL(doms[1].policy, "adaptive");
    CU_ASSERT_EQUAL(doms[1].quiet_switches, 3);
    CU_ASSERT_STRING_EQUAL(doms[1].cmdline, "x=1 y, z");
    CU_ASSERT_EQUAL(doms[1].image - doms[0].image, 4 * BUNDLE_ALIGN);
}

static void test_odd_mem_rounds_up(void)
{
    static const uint64_t sizes[] = { 100 };

    CU_ASSERT_EQUAL(parse("dbgvisor-arm64-bundle 1\ndomain name=a size=100 mem=33\n\n",
                          sizes, 1, 0), 1);
    CU_ASSERT_EQUAL(doms[0].mem_mib, 34);
}

/* A ramdisk follows its domain's Image at the next boundary; the next
 * domain's Image follows the ramdisk. */
static void test_ramdisk(void)
{
    static const uint64_t sizes[] = { 100, 5000, 300 };
    uint64_t len;
    uint8_t *b = make("dbgvisor-arm64-bundle 1\n"
                      "domain name=lx size=100 ramdisk=5000 cmdline=console=ttyAMA0\n"
                      "domain name=b size=300\n\n", sizes, 3, &len);

    err = NULL;
    CU_ASSERT_EQUAL_FATAL(bundle_parse(b, len, doms, BUNDLE_MAX_DOMAINS, &err), 2);
    CU_ASSERT_EQUAL(doms[0].image_size, 100);
    CU_ASSERT_PTR_EQUAL(doms[0].ramdisk, doms[0].image + BUNDLE_ALIGN);
    CU_ASSERT_EQUAL(doms[0].ramdisk_size, 5000);
    CU_ASSERT_EQUAL(doms[0].ramdisk[0], 2);
    CU_ASSERT_EQUAL(doms[0].ramdisk[4999], 2);
    CU_ASSERT_STRING_EQUAL(doms[0].cmdline, "console=ttyAMA0");
    CU_ASSERT_PTR_NULL(doms[1].ramdisk);
    CU_ASSERT_EQUAL(doms[1].image[0], 3);
    CU_ASSERT_PTR_EQUAL(doms[1].image, doms[0].ramdisk + 2 * BUNDLE_ALIGN);
    free(b);
}

static void refused(const char *header, const uint64_t *sizes, unsigned n, uint64_t cut)
{
    CU_ASSERT_EQUAL(parse(header, sizes, n, cut), -1);
    CU_ASSERT_PTR_NOT_NULL(err);
}

static void test_damaged(void)
{
    static const uint64_t one[] = { 100 }, two[] = { 100, 100 };

    refused("dbgvisor-arm64-bundle 2\ndomain name=a size=100\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100\n", one, 1, 0);   /* no empty line */
    refused("dbgvisor-arm64-bundle 1\n\n", NULL, 0, 0);                         /* no domain */
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100\n\n", one, 1, BUNDLE_ALIGN - 99);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=5000\n\n", one, 1, 0); /* past the end */
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=18446744073709551615\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a\n\n", one, 1, 0);          /* no size */
    refused("dbgvisor-arm64-bundle 1\ndomain size=100\n\n", one, 1, 0);        /* no name */
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=0\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 colour=red\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 mem=1\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 mem=4096\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 vcpus=0\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 vcpus=9\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 vcpus=1x\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a/b size=100\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=abcdefghijabcdefghijabcdefghij012 size=100\n\n",
            one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 =x\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\nimage name=a size=100\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 ramdisk=0\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 ramdisk=5000\n\n", one, 1, 0);
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100 ramdisk=100\n\n", two, 2,
            BUNDLE_ALIGN - 99);                                            /* ramdisk cut short */
    refused("dbgvisor-arm64-bundle 1\ndomain name=a size=100\ndomain name=a size=100\n\n",
            two, 2, 0);                                                        /* same name */
}

static void test_nul_and_long_lines(void)
{
    static const uint64_t one[] = { 100 };
    char header[BUNDLE_ALIGN];
    uint64_t len;
    uint8_t *b;

    /* A NUL inside a line. */
    b = make("dbgvisor-arm64-bundle 1\ndomain name=a size=100\n\n", one, 1, &len);
    b[30] = 0;
    CU_ASSERT_EQUAL(bundle_parse(b, len, doms, BUNDLE_MAX_DOMAINS, &err), -1);
    free(b);
    /* A line longer than the reader takes. */
    memset(header, 0, sizeof(header));
    strcpy(header, "dbgvisor-arm64-bundle 1\ndomain name=a size=100 cmdline=");
    memset(header + strlen(header), 'x', 1000);
    strcat(header, "\n\n");
    refused(header, one, 1, 0);
    /* A header with no newline at all in the first 4 KiB. */
    memset(header, 'y', sizeof(header) - 1);
    header[sizeof(header) - 1] = 0;
    memcpy(header, "dbgvisor-arm64-bundle 1\n", 24);
    refused(header, one, 1, 0);
    /* Too short to be one. */
    CU_ASSERT_FALSE(bundle_is("dbgvisor", 8));
    CU_ASSERT_EQUAL(bundle_parse("dbgvisor", 8, doms, BUNDLE_MAX_DOMAINS, &err), -1);
}

static void test_too_many(void)
{
    static const uint64_t sizes[3] = { 10, 10, 10 };
    uint64_t len;
    uint8_t *b = make("dbgvisor-arm64-bundle 1\ndomain name=a size=10\ndomain name=b size=10\n"
                      "domain name=c size=10\n\n", sizes, 3, &len);

    CU_ASSERT_EQUAL(bundle_parse(b, len, doms, 2, &err), -1);
    CU_ASSERT_EQUAL(bundle_parse(b, len, doms, 3, &err), 3);
    free(b);
}

static void test_domain_set(void)
{
    struct boot_domain d;

    boot_domain_defaults(&d);
    CU_ASSERT_TRUE(boot_domain_set(&d, "name", "hello", &err));
    CU_ASSERT_TRUE(boot_domain_set(&d, "vcpus", "8", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "vcpus", "", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "mem", "9999999999", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "policy", "a-policy-name-that-is-too-long", &err));
    CU_ASSERT_TRUE(boot_domain_set(&d, "quiet", "100", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "quiet", "many", &err));
    CU_ASSERT_EQUAL(d.quiet_switches, 100);
    CU_ASSERT_EQUAL(d.vcpus, 8);
    CU_ASSERT_STRING_EQUAL(d.name, "hello");
    /* hostbp: a word-aligned address in 0x hex, at most 16 digits */
    CU_ASSERT_EQUAL(d.host_bp, 0);
    CU_ASSERT_TRUE(boot_domain_set(&d, "hostbp", "0x40081250", &err));
    CU_ASSERT_EQUAL(d.host_bp, 0x40081250);
    CU_ASSERT_TRUE(boot_domain_set(&d, "hostbp", "0xffff000040081250", &err));
    CU_ASSERT_EQUAL(d.host_bp, 0xffff000040081250ull);
    CU_ASSERT_FALSE(boot_domain_set(&d, "hostbp", "0x40081252", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "hostbp", "40081250", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "hostbp", "0x", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "hostbp", "0x0", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "hostbp", "0x10000000000000000", &err));
    CU_ASSERT_FALSE(boot_domain_set(&d, "hostbp", "0x4008125g", &err));
}

void register_boot_bundle_tests(void)
{
    static const struct unit_test tests[] = {
        { "two domains as the script writes them", test_two_domains },
        { "odd mem rounds up to 2 MiB", test_odd_mem_rounds_up },
        { "a domain's ramdisk after its Image", test_ramdisk },
        { "damaged headers refused with a reason", test_damaged },
        { "NUL, long lines, no newline", test_nul_and_long_lines },
        { "more domains than the caller takes", test_too_many },
        { "single-image key=value", test_domain_set },
    };

    add_suite("boot_bundle", tests, sizeof(tests) / sizeof(tests[0]));
}
