/*
 * The flattened-device-tree reader (hypervisor/arch/arm64/fdt.c) on blobs the
 * tests write: the lookups the hypervisor makes at boot (PL011 by compatible,
 * /memory, /chosen), unit-address matching, and damaged blobs (bad magic,
 * offsets and lengths past the end) that must give "not found", never a read
 * outside the blob.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <asm/fdt.h>
#include "tests.h"

/* --- a small FDT writer ------------------------------------------------------------ */

struct blob {
    uint8_t buf[4096];
    uint32_t len;                   /* structure block bytes written */
    char strings[512];
    uint32_t strings_len;
};

/* The finished blob, in a buffer of exactly its size so that the sanitized
 * build (SAN=1) catches any read past it. */
static uint8_t *out;
static uint32_t out_size;

static void put32(uint8_t *p, uint32_t v) { fdt_set_cells(p, 1, v); }

static void emit32(struct blob *b, uint32_t v)
{
    put32(b->buf + b->len, v);
    b->len += 4;
}

static void emit_bytes(struct blob *b, const void *p, uint32_t n)
{
    memcpy(b->buf + b->len, p, n);
    b->len += n;
    while (b->len % 4)
        b->buf[b->len++] = 0;
}

static void begin(struct blob *b, const char *name)
{
    emit32(b, 1);
    emit_bytes(b, name, (uint32_t)strlen(name) + 1);
}

static void end(struct blob *b) { emit32(b, 2); }

static void prop(struct blob *b, const char *name, const void *val, uint32_t n)
{
    uint32_t off = b->strings_len;

    memcpy(b->strings + off, name, strlen(name) + 1);
    b->strings_len += (uint32_t)strlen(name) + 1;
    emit32(b, 3);
    emit32(b, n);
    emit32(b, off);
    emit_bytes(b, val, n);
}

static void prop_cells(struct blob *b, const char *name, uint64_t a, uint64_t c)
{
    uint8_t v[16];

    fdt_set_cells(v, 2, a);
    fdt_set_cells(v + 8, 2, c);
    prop(b, name, v, 16);
}

/* Header + structure + strings into a new blob at out; returns its size. */
static uint32_t finish(struct blob *b)
{
    uint32_t off_struct = 40, off_strings, size;

    emit32(b, 9);
    off_strings = off_struct + b->len;
    size = off_strings + b->strings_len;
    free(out);
    out = calloc(1, size);
    put32(out, 0xd00dfeed);
    put32(out + 4, size);
    put32(out + 8, off_struct);
    put32(out + 12, off_strings);
    put32(out + 32, b->strings_len);
    put32(out + 36, b->len);
    memcpy(out + off_struct, b->buf, b->len);
    memcpy(out + off_strings, b->strings, b->strings_len);
    return out_size = size;
}

/* A tree shaped like QEMU virt's: the PL011's compatible is the second string of
 * its list and comes after its reg; a flash node also has a unit address. */
static void build_virt(void)
{
    static struct blob b;
    static const char pl011_compat[] = "arm,pl011\0arm,primecell";
    static const char bootargs[] = "domain=dr mem=64";
    uint8_t initrd[8];

    memset(&b, 0, sizeof(b));
    begin(&b, "");
    prop(&b, "compatible", "linux,dummy-virt", 17);
    begin(&b, "memoryx@0");
    prop_cells(&b, "reg", 0x1000, 0x1000);
    end(&b);
    begin(&b, "memory@40000000");
    prop(&b, "device_type", "memory", 7);
    prop_cells(&b, "reg", 0x40000000, 0x20000000);
    end(&b);
    begin(&b, "pl011@9000000");
    prop_cells(&b, "reg", 0x09000000, 0x1000);
    prop(&b, "compatible", pl011_compat, sizeof(pl011_compat));
    end(&b);
    begin(&b, "chosen");
    prop(&b, "bootargs", bootargs, sizeof(bootargs));
    fdt_set_cells(initrd, 2, 0x48000000);
    prop(&b, "linux,initrd-start", initrd, 8);
    fdt_set_cells(initrd, 2, 0x48001000);
    prop(&b, "linux,initrd-end", initrd, 8);
    begin(&b, "child");
    prop(&b, "bootargs", "wrong", 6);
    end(&b);
    end(&b);
    end(&b);
    finish(&b);
}

/* --- tests ------------------------------------------------------------------------- */

static void test_lookups(void)
{
    uint32_t len = 0;
    const uint8_t *p;

    build_virt();
    CU_ASSERT_EQUAL(fdt_size(out), out_size);
    p = fdt_compatible_prop(out, "arm,pl011", "reg", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(len, 16);
    CU_ASSERT_EQUAL(fdt_cells(p, 2), 0x09000000);
    CU_ASSERT_PTR_NOT_NULL(fdt_compatible_prop(out, "arm,primecell", "reg", &len));
    CU_ASSERT_PTR_NULL(fdt_compatible_prop(out, "arm,pl01", "reg", &len));

    p = fdt_node_prop(out, "memory", "reg", &len);   /* "memoryx@0" is not it */
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(fdt_cells(p, 2), 0x40000000);
    CU_ASSERT_EQUAL(fdt_cells(p + 8, 2), 0x20000000);

    p = fdt_node_prop(out, "chosen", "bootargs", &len);   /* not the child's */
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL((const char *)p, "domain=dr mem=64");
    p = fdt_node_prop(out, "chosen", "linux,initrd-end", &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(fdt_cells(p, len / 4), 0x48001000);
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "chosen", "stdout-path", &len));
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "child", "bootargs", &len));  /* not top level */
}

static void test_cells(void)
{
    uint8_t v[8];

    fdt_set_cells(v, 2, 0x0123456789abcdefULL);
    CU_ASSERT_EQUAL(v[0], 0x01);
    CU_ASSERT_EQUAL(v[7], 0xef);
    CU_ASSERT_EQUAL(fdt_cells(v, 2), 0x0123456789abcdefULL);
    CU_ASSERT_EQUAL(fdt_cells(v, 1), 0x01234567);
}

static void test_bad_magic(void)
{
    uint32_t len;

    build_virt();
    out[0] ^= 0xff;
    CU_ASSERT_EQUAL(fdt_size(out), 0);
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "memory", "reg", &len));
    CU_ASSERT_EQUAL(fdt_size(NULL), 0);
}

/* Offsets and sizes in the header that point past totalsize. */
static void test_bad_header(void)
{
    uint32_t len;

    build_virt();
    put32(out + 36, out_size);                  /* structure block past the end */
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "memory", "reg", &len));
    build_virt();
    put32(out + 12, out_size + 4);              /* strings past the end */
    CU_ASSERT_PTR_NULL(fdt_compatible_prop(out, "arm,pl011", "reg", &len));
    build_virt();
    put32(out + 4, 20);                         /* totalsize below the header */
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "chosen", "bootargs", &len));
}

/* A property whose length runs past the structure block, and a name offset
 * past the strings block: the walk stops, nothing is returned. */
static void test_bad_property(void)
{
    struct blob b;
    uint32_t len;

    memset(&b, 0, sizeof(b));
    begin(&b, "");
    begin(&b, "chosen");
    prop(&b, "bootargs", "abc", 4);
    end(&b);
    end(&b);
    finish(&b);
    /* the prop token is at 40 + 8 (root) + 12 ("chosen\0" padded) */
    put32(out + 40 + 8 + 12 + 4, 0x7fffffff);
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "chosen", "bootargs", &len));

    b.len -= 4;                                 /* finish() adds FDT_END again */
    finish(&b);
    put32(out + 40 + 8 + 12 + 8, 0x10000);     /* name offset past the strings */
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "chosen", "bootargs", &len));

    b.len -= 4;
    b.strings_len--;                            /* the last name loses its NUL */
    finish(&b);
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "chosen", "bootargs", &len));
}

/* A node name that never ends before the structure block does, and a
 * compatible list whose last string does not end inside its property. */
static void test_unterminated_strings(void)
{
    struct blob b;
    uint32_t len;

    memset(&b, 0, sizeof(b));
    begin(&b, "");
    emit32(&b, 1);                              /* FDT_BEGIN_NODE */
    emit_bytes(&b, "memory@1", 8);              /* no NUL before the block ends */
    finish(&b);
    put32(out + 36, b.len - 4);                 /* drop FDT_END: the name is last */
    CU_ASSERT_PTR_NULL(fdt_node_prop(out, "memory", "reg", &len));

    memset(&b, 0, sizeof(b));
    begin(&b, "");
    begin(&b, "uart");
    prop(&b, "compatible", "arm,pl011", 9);     /* no NUL inside the property */
    prop_cells(&b, "reg", 0x09000000, 0x1000);
    end(&b);
    end(&b);
    finish(&b);
    CU_ASSERT_PTR_NOT_NULL(fdt_compatible_prop(out, "arm,pl011", "reg", &len));
    CU_ASSERT_PTR_NULL(fdt_compatible_prop(out, "arm,pl011x", "reg", &len));
}

static void collect(void *ctx, const void *val, uint32_t len)
{
    uint64_t *sum = ctx;

    *sum = *sum * 1000 + fdt_cells(val, len / 4);
}

/* /cpus-style iteration: the children's property, in order, not the parent's own. */
static void test_children(void)
{
    struct blob b;
    uint64_t sum = 0;
    uint8_t one[4];

    memset(&b, 0, sizeof(b));
    begin(&b, "");
    begin(&b, "cpus");
    fdt_set_cells(one, 1, 9);
    prop(&b, "reg", one, 4);                    /* the parent's: not counted */
    begin(&b, "cpu@0");
    fdt_set_cells(one, 1, 1);
    prop(&b, "reg", one, 4);
    end(&b);
    begin(&b, "cpu-map");
    begin(&b, "core0");
    prop(&b, "reg", one, 4);                    /* a grandchild: not counted */
    end(&b);
    end(&b);
    begin(&b, "cpu@1");
    fdt_set_cells(one, 1, 2);
    prop(&b, "reg", one, 4);
    end(&b);
    end(&b);
    begin(&b, "other");
    begin(&b, "cpu@9");
    prop(&b, "reg", one, 4);
    end(&b);
    end(&b);
    end(&b);
    finish(&b);
    CU_ASSERT_EQUAL(fdt_for_each_child_prop(out, "cpus", "reg", collect, &sum), 2);
    CU_ASSERT_EQUAL(sum, 1002);
}

void register_fdt_tests(void)
{
    static const struct unit_test tests[] = {
        { "lookups as at boot", test_lookups },
        { "cells", test_cells },
        { "bad magic", test_bad_magic },
        { "header offsets past the end", test_bad_header },
        { "property past the end", test_bad_property },
        { "unterminated strings", test_unterminated_strings },
        { "children's properties", test_children },
    };

    add_suite("fdt", tests, sizeof(tests) / sizeof(tests[0]));
}
