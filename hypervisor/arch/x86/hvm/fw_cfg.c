/*
 * QEMU's fw_cfg, traditional (port) interface at 0x510/0x511, as x86 test
 * kernels read it: a 16-bit write to the selector picks an item, each byte
 * read of either port returns its next byte (0 past its end), wider reads
 * return 0 and byte writes change nothing. Items are little-endian. No DMA
 * interface (the ID item says so) and no file directory.
 */
#include <asm/hvm_devices.h>
#include <dbgvisor/domain.h>
#include <dbgvisor/lib.h>

#define FW_CFG_SELECTOR  0x510
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID        0x01
#define FW_CFG_UUID      0x02
#define FW_CFG_RAM_SIZE  0x03
#define FW_CFG_NB_CPUS   0x05
#define FW_CFG_MAX_CPUS  0x0f
#define FW_CFG_ID_TRADITIONAL 1u

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The selected item's bytes; returns its length (0: no such item). */
static unsigned item(const struct domain *d, uint16_t key, uint8_t buf[16])
{
    memset(buf, 0, 16);
    switch (key) {
    case FW_CFG_SIGNATURE: memcpy(buf, "QEMU", 4); return 4;
    case FW_CFG_ID:        put_le(buf, FW_CFG_ID_TRADITIONAL, 4); return 4;
    case FW_CFG_UUID:      return 16;                        /* no UUID given: zeros */
    case FW_CFG_RAM_SIZE:  put_le(buf, d->mem_bytes, 8); return 8;
    case FW_CFG_NB_CPUS:
    case FW_CFG_MAX_CPUS:  put_le(buf, d->nr_vcpus, 2); return 2;
    default:               return 0;
    }
}

uint32_t fw_cfg_io_read(struct vcpu *v, uint16_t port, unsigned size)
{
    struct vfw_cfg *f = &v->domain->arch.fw_cfg;
    uint8_t buf[16];
    unsigned len;

    if (size != 1)
        return 0;
    len = item(v->domain, f->selector, buf);
    return f->offset < len ? buf[f->offset++] : 0;
}

void fw_cfg_io_write(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
    struct vfw_cfg *f = &v->domain->arch.fw_cfg;

    if (port == FW_CFG_SELECTOR && size == 2) {
        f->selector = (uint16_t)val;
        f->offset = 0;
    }
}
