/*
 * A small flattened-device-tree reader (devicetree specification v0.4, ch. 5):
 * walks the structure block for the few properties the hypervisor needs. The
 * blob comes from the boot loader; every offset is checked against its size.
 */
#include <dbgvisor/lib.h>
#include <asm/fdt.h>

#define FDT_MAGIC       0xd00dfeedU
#define FDT_BEGIN_NODE  1
#define FDT_END_NODE    2
#define FDT_PROP        3
#define FDT_NOP         4
#define FDT_END         9

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_cells(const void *p, unsigned ncells)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < ncells; i++)
        v = v << 32 | be32((const uint8_t *)p + 4 * i);
    return v;
}

void fdt_set_cells(void *p, unsigned ncells, uint64_t v)
{
    uint8_t *b = p;
    int i;

    for (i = (int)ncells * 4 - 1; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)v;
}

uint32_t fdt_size(const void *fdt)
{
    if (!fdt || be32(fdt) != FDT_MAGIC)
        return 0;
    return be32((const uint8_t *)fdt + 4);
}

struct fdt_cursor {
    const uint8_t *base, *strings;
    uint32_t off, end, strings_size;
};

/* Next token at c->off; fills name (node name or property name), value and length. */
static uint32_t next_token(struct fdt_cursor *c, const char **name, const uint8_t **val,
                           uint32_t *len)
{
    uint32_t tok, n;

    if (c->off + 4 > c->end)
        return FDT_END;
    tok = be32(c->base + c->off);
    c->off += 4;
    switch (tok) {
    case FDT_BEGIN_NODE:
        *name = (const char *)c->base + c->off;
        n = (uint32_t)strnlen(*name, c->end - c->off);
        if (n == c->end - c->off)
            return FDT_END;         /* the name runs off the block */
        c->off += ALIGN_UP(n + 1, 4);
        return tok;
    case FDT_PROP:
        if (c->off + 8 > c->end)
            return FDT_END;
        *len = be32(c->base + c->off);
        n = be32(c->base + c->off + 4);
        *val = c->base + c->off + 8;
        /* The name must end inside the strings block. */
        if (n >= c->strings_size ||
            strnlen((const char *)c->strings + n, c->strings_size - n) == c->strings_size - n)
            return FDT_END;
        *name = (const char *)c->strings + n;
        if (*len > c->end - c->off - 8)
            return FDT_END;
        c->off += 8 + ALIGN_UP(*len, 4);
        return tok;
    case FDT_END_NODE:
    case FDT_NOP:
        return tok;
    default:
        return FDT_END;
    }
}

static bool cursor_init(struct fdt_cursor *c, const void *fdt)
{
    uint32_t size = fdt_size(fdt), off_struct, off_strings, size_struct, size_strings;
    const uint8_t *b = fdt;

    if (size < 40)
        return false;
    off_struct = be32(b + 8);
    off_strings = be32(b + 12);
    size_strings = be32(b + 32);
    size_struct = be32(b + 36);
    if (off_struct > size || size_struct > size - off_struct || off_strings > size ||
        size_strings > size - off_strings)
        return false;
    c->base = b;
    c->off = off_struct;
    c->end = off_struct + size_struct;
    c->strings = b + off_strings;
    c->strings_size = size_strings;
    return true;
}

static bool name_matches(const char *node, const char *want)
{
    size_t n = strlen(want);

    return strncmp(node, want, n) == 0 && (node[n] == 0 || node[n] == '@');
}

static bool list_holds(const uint8_t *val, uint32_t len, const char *s)
{
    uint32_t i = 0;

    while (i < len) {
        const char *item = (const char *)val + i;
        size_t n = strnlen(item, len - i);
        if (n == strlen(s) && memcmp(item, s, n) == 0)
            return true;
        i += (uint32_t)n + 1;
    }
    return false;
}

/* Property prop of the node whose BEGIN_NODE token ended at node_off. */
static const void *node_prop(struct fdt_cursor c, uint32_t node_off, const char *prop,
                             uint32_t *len)
{
    const char *name;
    const uint8_t *val;
    uint32_t tok, l, depth = 0;

    c.off = node_off;
    while ((tok = next_token(&c, &name, &val, &l)) != FDT_END) {
        if (tok == FDT_BEGIN_NODE)
            depth++;
        else if (tok == FDT_END_NODE && depth-- == 0)
            return NULL;
        else if (tok == FDT_PROP && depth == 0 && strcmp(name, prop) == 0) {
            *len = l;
            return val;
        }
    }
    return NULL;
}

const void *fdt_node_prop(const void *fdt, const char *node, const char *prop, uint32_t *len)
{
    struct fdt_cursor c;
    const char *name;
    const uint8_t *val;
    uint32_t tok, l;
    int depth = 0;

    if (!cursor_init(&c, fdt))
        return NULL;
    while ((tok = next_token(&c, &name, &val, &l)) != FDT_END) {
        if (tok == FDT_BEGIN_NODE) {
            if (++depth == 2 && name_matches(name, node))
                return node_prop(c, c.off, prop, len);
        } else if (tok == FDT_END_NODE) {
            depth--;
        }
    }
    return NULL;
}

const void *fdt_compatible_prop(const void *fdt, const char *compat, const char *prop,
                                uint32_t *len)
{
    struct fdt_cursor c;
    const char *name;
    const uint8_t *val;
    uint32_t tok, l, node_off = 0;

    if (!cursor_init(&c, fdt))
        return NULL;
    while ((tok = next_token(&c, &name, &val, &l)) != FDT_END) {
        if (tok == FDT_BEGIN_NODE)
            node_off = c.off;
        else if (tok == FDT_PROP && strcmp(name, "compatible") == 0 &&
                 list_holds(val, l, compat))
            return node_prop(c, node_off, prop, len);
    }
    return NULL;
}

unsigned fdt_for_each_child_prop(const void *fdt, const char *parent, const char *prop,
                                 void (*fn)(void *ctx, const void *val, uint32_t len),
                                 void *ctx)
{
    struct fdt_cursor c;
    const char *name;
    const uint8_t *val;
    uint32_t tok, l, depth = 0;
    bool in_parent = false;
    unsigned n = 0;

    if (!cursor_init(&c, fdt))
        return 0;
    while ((tok = next_token(&c, &name, &val, &l)) != FDT_END) {
        if (tok == FDT_BEGIN_NODE) {
            if (++depth == 2)
                in_parent = name_matches(name, parent);
        } else if (tok == FDT_END_NODE) {
            depth--;
        } else if (tok == FDT_PROP && in_parent && depth == 3 && strcmp(name, prop) == 0) {
            fn(ctx, val, l);
            n++;
        }
    }
    return n;
}

/* --- writing a blob from scratch (the builder's per-domain tree, dtb_build.c) --- */

#define FDT_HEADER_SIZE 40u
#define FDT_RSVMAP_SIZE 16u             /* the empty reservation map: one terminating entry */
#define FDT_VERSION     17u
#define FDT_LAST_COMP   16u

static void write_bytes(struct fdt_writer *w, const void *p, uint32_t n)
{
    uint32_t padded = ALIGN_UP(n, 4);

    if (w->failed || padded > w->cap - w->off) {
        w->failed = true;
        return;
    }
    memcpy(w->buf + w->off, p, n);
    memset(w->buf + w->off + n, 0, padded - n);
    w->off += padded;
}

static void write_token(struct fdt_writer *w, uint32_t tok)
{
    uint8_t b[4];

    fdt_set_cells(b, 1, tok);
    write_bytes(w, b, 4);
}

/* The offset of name in the writer's strings, added if new. */
static uint32_t writer_string(struct fdt_writer *w, const char *name)
{
    uint32_t i = 0, n = (uint32_t)strlen(name) + 1;

    while (i < w->strings_len) {
        uint32_t len = (uint32_t)strlen(w->strings + i) + 1;
        if (len == n && memcmp(w->strings + i, name, n) == 0)
            return i;
        i += len;
    }
    if (n > sizeof(w->strings) - w->strings_len) {
        w->failed = true;
        return 0;
    }
    memcpy(w->strings + w->strings_len, name, n);
    w->strings_len += n;
    return i;
}

void fdt_write_init(struct fdt_writer *w, void *buf, uint32_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = cap;
    w->off = FDT_HEADER_SIZE + FDT_RSVMAP_SIZE;
    if (cap < w->off)
        w->failed = true;
    else
        memset(buf, 0, w->off);
}

void fdt_write_begin_node(struct fdt_writer *w, const char *name)
{
    write_token(w, FDT_BEGIN_NODE);
    write_bytes(w, name, (uint32_t)strlen(name) + 1);
}

void fdt_write_end_node(struct fdt_writer *w)
{
    write_token(w, FDT_END_NODE);
}

void fdt_write_prop(struct fdt_writer *w, const char *name, const void *val, uint32_t len)
{
    uint8_t head[12];

    fdt_set_cells(head, 1, FDT_PROP);
    fdt_set_cells(head + 4, 1, len);
    fdt_set_cells(head + 8, 1, writer_string(w, name));
    write_bytes(w, head, sizeof(head));
    if (len)
        write_bytes(w, val, len);
}

void fdt_write_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells,
                          unsigned n)
{
    uint8_t b[4 * FDT_WRITE_MAX_CELLS];
    unsigned i;

    if (n > FDT_WRITE_MAX_CELLS) {
        w->failed = true;
        return;
    }
    for (i = 0; i < n; i++)
        fdt_set_cells(b + 4 * i, 1, cells[i]);
    fdt_write_prop(w, name, b, 4 * n);
}

void fdt_write_prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
    fdt_write_prop_cells(w, name, &v, 1);
}

void fdt_write_prop_string(struct fdt_writer *w, const char *name, const char *s)
{
    fdt_write_prop(w, name, s, (uint32_t)strlen(s) + 1);
}

uint32_t fdt_write_finish(struct fdt_writer *w)
{
    uint32_t off_struct = FDT_HEADER_SIZE + FDT_RSVMAP_SIZE, size_struct, off_strings;

    write_token(w, FDT_END);
    size_struct = w->off - off_struct;
    off_strings = w->off;
    if (w->failed || w->strings_len > w->cap - w->off)
        return 0;
    memcpy(w->buf + off_strings, w->strings, w->strings_len);
    w->off += w->strings_len;
    fdt_set_cells(w->buf, 1, FDT_MAGIC);
    fdt_set_cells(w->buf + 4, 1, w->off);               /* totalsize */
    fdt_set_cells(w->buf + 8, 1, off_struct);
    fdt_set_cells(w->buf + 12, 1, off_strings);
    fdt_set_cells(w->buf + 16, 1, FDT_HEADER_SIZE);     /* off_mem_rsvmap */
    fdt_set_cells(w->buf + 20, 1, FDT_VERSION);
    fdt_set_cells(w->buf + 24, 1, FDT_LAST_COMP);
    fdt_set_cells(w->buf + 28, 1, 0);                   /* boot_cpuid_phys */
    fdt_set_cells(w->buf + 32, 1, w->strings_len);
    fdt_set_cells(w->buf + 36, 1, size_struct);
    return w->off;
}
