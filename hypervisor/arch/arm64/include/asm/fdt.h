/* Reading a flattened device tree (the DTB the boot loader passes in x0). */
#ifndef ASM_ARM64_FDT_H
#define ASM_ARM64_FDT_H

#include <stdbool.h>
#include <stdint.h>

/* Size of a valid blob, 0 if fdt is not one. */
uint32_t fdt_size(const void *fdt);
/* Property of the top-level node `node` ("chosen", or "memory" for "memory@..."). */
const void *fdt_node_prop(const void *fdt, const char *node, const char *prop, uint32_t *len);
/* Property of the first node whose "compatible" list holds compat. */
const void *fdt_compatible_prop(const void *fdt, const char *compat, const char *prop,
                                uint32_t *len);
/* Calls fn(ctx, value, len) with property prop of each child of the top-level
 * node parent that has one, in order; returns how many there were. */
unsigned fdt_for_each_child_prop(const void *fdt, const char *parent, const char *prop,
                                 void (*fn)(void *ctx, const void *val, uint32_t len),
                                 void *ctx);

/* Writing a blob from scratch, node by node (the builder's per-domain tree,
 * dtb_build.c): begin/end nodes and properties in order, then finish, which
 * lays out the header, an empty reservation map, the structure and strings
 * blocks. Running out of room (or of string space) is sticky: finish says 0. */
#define FDT_WRITE_MAX_CELLS 32
struct fdt_writer {
    uint8_t *buf;
    uint32_t cap, off;
    uint32_t strings_len;
    bool failed;
    char strings[512];
};
void fdt_write_init(struct fdt_writer *w, void *buf, uint32_t cap);
void fdt_write_begin_node(struct fdt_writer *w, const char *name);
void fdt_write_end_node(struct fdt_writer *w);
void fdt_write_prop(struct fdt_writer *w, const char *name, const void *val, uint32_t len);
void fdt_write_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells,
                          unsigned n);
void fdt_write_prop_u32(struct fdt_writer *w, const char *name, uint32_t v);
void fdt_write_prop_string(struct fdt_writer *w, const char *name, const char *s);
/* The blob's total size, or 0 if it did not fit. */
uint32_t fdt_write_finish(struct fdt_writer *w);

/* Big-endian cells. */
uint64_t fdt_cells(const void *p, unsigned ncells);
void fdt_set_cells(void *p, unsigned ncells, uint64_t v);

#endif
