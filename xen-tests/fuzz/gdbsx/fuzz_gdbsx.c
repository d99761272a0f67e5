/*
 * gdbsx's remote-protocol parser (tools/gdbsx/gdbsx.c, included whole with
 * its main renamed) over a fake libdebugctl: one domain of 2 vCPUs with
 * 64 KiB of memory, x86-64 or AArch64 (bit 7 of the input's first byte:
 * the aarch64 target description and registers, regs_aarch64.c). The
 * input is a list of records: a packet (the harness
 * adds $, # and the checksum, then gdb's '+' for the reply), raw bytes
 * (bad checksums, Ctrl-C, junk), or the debug event the domain reports next.
 *
 * Invariants:
 *  - everything gdbsx sends is '+', '-' or a packet with a correct checksum
 *    and at most PacketSize bytes;
 *  - every packet with a correct checksum is acknowledged with '+' before
 *    anything else is sent, a bad one with '-';
 *  - the stub asks the backend only for existing vCPUs, breakpoint ids
 *    below DBGV_GDBG_MAX_BP and at most PacketSize bytes of memory.
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include <debugctl.h>
#include "fuzz.h"

static ssize_t fuzz_read(int fd, void *buf, size_t n);
static ssize_t fuzz_write(int fd, const void *buf, size_t n);
static int fuzz_poll(struct pollfd *p, nfds_t n, int timeout);
#define read(fd, buf, n) fuzz_read(fd, buf, n)
#define write(fd, buf, n) fuzz_write(fd, buf, n)
#define poll(p, n, t) fuzz_poll(p, n, t)
#define main gdbsx_main
#include "gdbsx.c"
#undef main
#undef read
#undef write
#undef poll

/* ---- the byte stream from "gdb" and what gdbsx sends back ---------------- */

static uint8_t stream[1 << 17];
static size_t stream_len, stream_off;
static struct {
    enum { OUT_IDLE, OUT_PKT, OUT_SUM1, OUT_SUM2 } st;
    uint8_t sum, got;
    size_t pkt_len;
} out;

static ssize_t fuzz_read(int fd, void *buf, size_t n)
{
    size_t k = stream_len - stream_off < n ? stream_len - stream_off : n;

    memcpy(buf, stream + stream_off, k);
    stream_off += k;
    return (ssize_t)k;
}

static int fuzz_poll(struct pollfd *p, nfds_t n, int timeout)
{
    p->revents = POLLIN;        /* data, or EOF at the end of the input */
    return 1;
}

static int hexdig(uint8_t c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static ssize_t fuzz_write(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;

    for ( size_t i = 0; i < n; i++ )
    {
        uint8_t c = p[i];

        switch ( out.st )
        {
        case OUT_IDLE:
            FUZZ_CHECK(c == '+' || c == '-' || c == '$', "stray byte %#x sent", c);
            if ( c == '$' )
            {
                out.st = OUT_PKT;
                out.sum = 0;
                out.pkt_len = 0;
            }
            break;
        case OUT_PKT:
            if ( c == '#' )
            {
                out.st = OUT_SUM1;
                break;
            }
            FUZZ_CHECK(c != '$', "'$' inside a packet");
            out.sum += c;
            FUZZ_CHECK(++out.pkt_len <= PKT_MAX, "packet longer than PacketSize");
            break;
        case OUT_SUM1:
            FUZZ_CHECK(hexdig(c) >= 0, "checksum digit %#x", c);
            out.got = (uint8_t)(hexdig(c) << 4);
            out.st = OUT_SUM2;
            break;
        case OUT_SUM2:
            FUZZ_CHECK(hexdig(c) >= 0, "checksum digit %#x", c);
            out.got |= (uint8_t)hexdig(c);
            FUZZ_CHECK(out.got == out.sum, "checksum %02x for a packet summing to %02x",
                       out.got, out.sum);
            out.st = OUT_IDLE;
            break;
        }
    }
    return (ssize_t)n;
}

/* ---- fake libdebugctl ---------------------------------------------------- */

#define FAKE_VCPUS 2
#define FAKE_MEM   65536

static uint8_t fake_mem[FAKE_MEM];
static struct dbgv_gdbg_regs fake_regs[FAKE_VCPUS];
static struct dbgv_gdbg_regs_arm64 fake_a64[FAKE_VCPUS];
static struct dbgv_ctl_event next_event;
static bool have_event;

static int check_vcpu(uint32_t vcpu)
{
    FUZZ_CHECK(vcpu < FAKE_VCPUS, "backend asked for vCPU %u", vcpu);
    return 0;
}

int dbgctl_gdbg_set_bp(dbgctl *hh, uint32_t d, uint32_t vcpu, unsigned int id,
                       unsigned int type, unsigned int len, uint64_t addr)
{
    FUZZ_CHECK(vcpu == DBGV_GDBG_ALL_VCPUS || vcpu < FAKE_VCPUS, "bp on vCPU %u", vcpu);
    FUZZ_CHECK(id < DBGV_GDBG_MAX_BP, "breakpoint id %u", id);
    if ( type > DBGV_GDBG_BP_RW || (len != 1 && len != 2 && len != 4 && len != 8) ||
         addr % len || (type == DBGV_GDBG_BP_EXEC && len != 1) )
        return -EINVAL;
    return 0;
}

int dbgctl_gdbg_clear_bp(dbgctl *hh, uint32_t d, uint32_t vcpu, unsigned int id)
{
    FUZZ_CHECK(id < DBGV_GDBG_MAX_BP, "breakpoint id %u", id);
    return 0;
}

int dbgctl_gdbg_step(dbgctl *hh, uint32_t d, uint32_t vcpu, unsigned int flags)
{
    return check_vcpu(vcpu);
}

int dbgctl_gdbg_continue(dbgctl *hh, uint32_t d) { return 0; }
int dbgctl_gdbg_pause(dbgctl *hh, uint32_t d) { return 0; }
int dbgctl_gdbg_attach(dbgctl *hh, uint32_t d) { return 0; }
int dbgctl_gdbg_detach(dbgctl *hh, uint32_t d) { return 0; }

int dbgctl_gdbg_get_regs(dbgctl *hh, uint32_t d, uint32_t vcpu, struct dbgv_gdbg_regs *o)
{
    check_vcpu(vcpu);
    *o = fake_regs[vcpu];
    return 0;
}

int dbgctl_gdbg_set_regs(dbgctl *hh, uint32_t d, uint32_t vcpu, uint32_t mask,
                         const struct dbgv_gdbg_regs *in)
{
    check_vcpu(vcpu);
    if ( !mask || mask & ~DBGV_GDBG_REG_ALL )
        return -EINVAL;
    for ( int i = 0; i < 16; i++ )
        if ( mask & (1u << i) )
            fake_regs[vcpu].gpr[i] = in->gpr[i];
    if ( mask & DBGV_GDBG_REG_RIP )
        fake_regs[vcpu].rip = in->rip;
    if ( mask & DBGV_GDBG_REG_RFLAGS )
        fake_regs[vcpu].rflags = in->rflags;
    return 0;
}

int dbgctl_gdbg_get_regs_arm64(dbgctl *hh, uint32_t d, uint32_t vcpu,
                               struct dbgv_gdbg_regs_arm64 *o)
{
    check_vcpu(vcpu);
    FUZZ_CHECK(aarch64, "AArch64 registers asked of an x86-64 domain");
    *o = fake_a64[vcpu];
    o->version = DBGV_GDBG_REGS_ARM64_VERSION;
    o->arch = DBGV_ARCH_ARM64;
    return 0;
}

/* As the library: a mask of known fields, something selected; the hypervisor
 * refuses a PSTATE that is not AArch64 EL0t/EL1t/EL1h. */
int dbgctl_gdbg_set_regs_arm64(dbgctl *hh, uint32_t d, uint32_t vcpu, uint64_t mask,
                               uint32_t vmask, const struct dbgv_gdbg_regs_arm64 *in)
{
    struct dbgv_gdbg_regs_arm64 *r = &fake_a64[vcpu];

    check_vcpu(vcpu);
    FUZZ_CHECK(aarch64, "AArch64 registers written to an x86-64 domain");
    if ( (!mask && !vmask) || (mask & ~DBGV_GDBG_A64_ALL) )
        return -EINVAL;
    if ( (mask & DBGV_GDBG_A64_PSTATE) && (in->pstate & 0x1f) != 0 && (in->pstate & 0x1f) != 4 &&
         (in->pstate & 0x1f) != 5 )
        return -EINVAL;
    for ( int i = 0; i < 31; i++ )
        if ( mask & (1ull << i) )
            r->x[i] = in->x[i];
    for ( int i = 0; i < 32; i++ )
        if ( vmask & (1u << i) )
            memcpy(r->v[i], in->v[i], sizeof(r->v[i]));
    if ( mask & DBGV_GDBG_A64_SP ) r->sp = in->sp;
    if ( mask & DBGV_GDBG_A64_PC ) r->pc = in->pc;
    if ( mask & DBGV_GDBG_A64_PSTATE ) r->pstate = in->pstate;
    if ( mask & DBGV_GDBG_A64_FPSR ) r->fpsr = in->fpsr;
    if ( mask & DBGV_GDBG_A64_FPCR ) r->fpcr = in->fpcr;
    return 0;
}

static int mem_range(uint32_t vcpu, uint64_t addr, size_t len)
{
    check_vcpu(vcpu);
    if ( addr + len < addr )
        return -EINVAL;                     /* as the library answers */
    FUZZ_CHECK(len <= PKT_MAX, "memory request of %zu bytes", len);
    return addr < FAKE_MEM && len <= FAKE_MEM - addr ? 0 : -EFAULT;
}

int dbgctl_gdbg_read(dbgctl *hh, uint32_t d, uint32_t vcpu, uint64_t addr, bool virt,
                     void *data, size_t len)
{
    int rc = mem_range(vcpu, addr, len);

    if ( !rc )
        memcpy(data, fake_mem + addr, len);
    return rc;
}

int dbgctl_gdbg_write(dbgctl *hh, uint32_t d, uint32_t vcpu, uint64_t addr, bool virt,
                      const void *data, size_t len)
{
    int rc = mem_range(vcpu, addr, len);

    if ( !rc )
        memcpy(fake_mem + addr, data, len);
    return rc;
}

int dbgctl_gdbg_event_cursor(dbgctl *hh, uint32_t d, uint64_t *next)
{
    *next = 1;
    return 0;
}

int dbgctl_gdbg_wait(dbgctl *hh, uint32_t d, uint64_t *since, int timeout_ms,
                     struct dbgv_ctl_event *ev)
{
    if ( !have_event )
        return -ETIMEDOUT;
    have_event = false;
    *ev = next_event;
    (*since)++;
    return 0;
}

/* Not reached from serve(). */
int dbgctl_open(const char *uri, dbgctl **o) { return -ENOSYS; }
void dbgctl_close(dbgctl *hh) { }
int dbgctl_domain_lookup(dbgctl *hh, const char *s, uint32_t *d) { return -ENOSYS; }
int dbgctl_domain_info(dbgctl *hh, uint32_t d, struct dbgv_ctl_dominfo *o) { return -ENOSYS; }
const char *dbgctl_strerror(int err) { return "fake error"; }

/* ---- the input ----------------------------------------------------------- */

static void emit(const void *p, size_t n)
{
    if ( n > sizeof(stream) - stream_len )
        n = sizeof(stream) - stream_len;
    memcpy(stream + stream_len, p, n);
    stream_len += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };

    stream_len = stream_off = 0;
    in_len = in_off = 0;
    memset(&out, 0, sizeof(out));
    memset(bps, 0, sizeof(bps));
    memset(fake_regs, 0, sizeof(fake_regs));
    memset(fake_a64, 0, sizeof(fake_a64));
    aarch64 = size && (data[0] & 0x80);
    have_event = false;
    cur_thread = 1;
    step_thread = 0;
    nr_vcpus = FAKE_VCPUS;
    cursor = 0;

    while ( fuzz_more(&in) )
    {
        uint8_t kind = fuzz_u8(&in), len = fuzz_u8(&in), sum = 0;
        const uint8_t *p;
        size_t n = fuzz_bytes(&in, len, &p);
        char tail[4];

        switch ( kind & 3 )
        {
        case 0:                                 /* raw bytes */
            emit(p, n);
            break;
        case 3:                                 /* the next debug event */
            memset(&next_event, 0, sizeof(next_event));
            next_event.type = n > 0 ? p[0] % 12 : DBGV_EV_STEP_DONE;
            next_event.vcpu = n > 1 ? p[1] % FAKE_VCPUS : 0;
            next_event.code = n > 2 ? p[2] : 0;
            have_event = true;
            break;
        default:                                /* a packet, acknowledged */
            for ( size_t i = 0; i < n; i++ )
                sum += p[i];
            emit("$", 1);
            emit(p, n);
            snprintf(tail, sizeof(tail), "#%02x", sum);
            emit(tail, 3);
            emit("+", 1);
            break;
        }
    }
    serve();
    FUZZ_CHECK(out.st == OUT_IDLE, "gdbsx stopped in the middle of a packet");
    return 0;
}
