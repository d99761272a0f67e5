/*
 * Unaligned little-endian loads and stores, for parsing image headers and
 * building guest data structures byte by byte (no alignment or host-order
 * assumptions). Callers bounds-check.
 */
#ifndef DBGVISOR_LE_H
#define DBGVISOR_LE_H

#include <stdint.h>

static inline uint32_t le_rd16(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8;
}
static inline uint32_t le_rd32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t le_rd64(const uint8_t *p)
{
    return le_rd32(p) | (uint64_t)le_rd32(p + 4) << 32;
}

static inline void le_wr16(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8;
}
static inline void le_wr32(uint8_t *p, uint32_t v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
static inline void le_wr64(uint8_t *p, uint64_t v)
{
    le_wr32(p, (uint32_t)v);
    le_wr32(p + 4, (uint32_t)(v >> 32));
}

#endif
