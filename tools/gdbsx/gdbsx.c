/*
 * gdbsx: GDB remote serial protocol stub for a dbgvisor domain
 * (docs/guest-debug.md). It attaches to the domain through libdebugctl,
 * listens on 127.0.0.1 only and serves one gdb:
 *
 *   qSupported, qXfer:features:read (target.xml: x86-64, or aarch64 for an
 *   AArch64 domain, regs_aarch64.c), ?, g/G, p/P,
 *   m/M/X (guest virtual addresses, through the current thread's vCPU),
 *   s/c/vCont (one thread per vCPU), Z0-Z4/z0-z4 (host breakpoints and
 *   watchpoints: hardware slots the guest leaves free, NPT beyond), Ctrl-C
 *   (pause), D/k (detach: the domain runs on without the host debugger).
 *
 *   gdbsx [--port N] [--uri URI] [--arch x86_64|aarch64] <domain>
 *
 * The architecture is the domain's: a hypervisor that answers the AArch64
 * register request for its vCPU 0 runs it as AArch64 (--arch overrides).
 *
 * Software breakpoints (Z0) are hardware breakpoints here: the guest's
 * memory is never patched, so a guest that checksums or reads its own code
 * sees nothing of the debugger.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <debugctl.h>
#include "regs_aarch64.h"

#define PKT_MAX   4096      /* PacketSize we announce (hex digits included) */
#define NR_BP     DBGV_GDBG_MAX_BP

static dbgctl *h;
static uint32_t domid;
static unsigned int nr_vcpus = 1;
static int fd = -1;                   /* the gdb connection */
static unsigned int cur_thread = 1;   /* Hg: registers and memory (vCPU + 1) */
static unsigned int step_thread = 0;  /* Hc: 0 = any */
static uint64_t cursor;               /* next debug event to look at */
static bool verbose;
static bool aarch64;                  /* the domain is AArch64: gdb's aarch64 registers */

/* Host breakpoints by id: what gdb asked for, so z finds them again. */
static struct {
    bool used;
    int ztype;              /* 0-4 as in Z<type> */
    uint64_t addr;
    unsigned int len;
} bps[NR_BP];

static void logf_(const char *fmt, ...)
{
    va_list ap;

    if ( !verbose )
        return;
    va_start(ap, fmt);
    fputs("gdbsx: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* ---- packet I/O ----------------------------------------------------------- */

static uint8_t inbuf[8192];
static size_t in_len, in_off;

/* Next byte from gdb; -1 on EOF/error. timeout_ms < 0 blocks. */
static int getbyte(int timeout_ms)
{
    if ( in_off == in_len )
    {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ssize_t n;

        if ( poll(&p, 1, timeout_ms) <= 0 )
            return timeout_ms < 0 ? -1 : -2;
        n = read(fd, inbuf, sizeof(inbuf));
        if ( n <= 0 )
            return -1;
        in_len = (size_t)n;
        in_off = 0;
    }
    return inbuf[in_off++];
}

static int write_all(const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while ( len )
    {
        ssize_t n = write(fd, p, len);

        if ( n < 0 && errno == EINTR )
            continue;
        if ( n <= 0 )
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static const char hexd[] = "0123456789abcdef";
#define MIN_LEN(n) ((n) > 200 ? 200 : (n))

/* Send $data#cs and wait for the '+' (we never turn acks off). */
static int put_packet(const char *data, size_t len)
{
    static char out[PKT_MAX * 2 + 8];
    uint8_t sum = 0;
    size_t n = 0;

    if ( len > sizeof(out) - 8 )
        return -1;
    out[n++] = '$';
    for ( size_t i = 0; i < len; i++ )
    {
        sum += (uint8_t)data[i];
        out[n++] = data[i];
    }
    out[n++] = '#';
    out[n++] = hexd[sum >> 4];
    out[n++] = hexd[sum & 15];
    logf_("-> %.*s\n", (int)MIN_LEN(len), data);
    for ( int tries = 0; tries < 5; tries++ )
    {
        int c;

        if ( write_all(out, n) )
            return -1;
        do
            c = getbyte(5000);
        while ( c >= 0 && c != '+' && c != '-' );
        if ( c == '+' )
            return 0;
        if ( c < 0 )
            return -1;
    }
    return -1;
}

static int put_str(const char *s)
{
    return put_packet(s, strlen(s));
}

static int hexval(int c)
{
    if ( c >= '0' && c <= '9' ) return c - '0';
    if ( c >= 'a' && c <= 'f' ) return c - 'a' + 10;
    if ( c >= 'A' && c <= 'F' ) return c - 'A' + 10;
    return -1;
}

/* Read one packet into buf (NUL-terminated); returns its length, -1 on EOF,
 * or -3 for a Ctrl-C received outside a packet. */
static int get_packet(char *buf, size_t max)
{
    for ( ;; )
    {
        int c;
        size_t n = 0;
        uint8_t sum = 0;

        do
        {
            c = getbyte(-1);
            if ( c == 0x03 )
                return -3;
        } while ( c >= 0 && c != '$' );
        if ( c < 0 )
            return -1;
        for ( ;; )
        {
            c = getbyte(-1);
            if ( c < 0 )
                return -1;
            if ( c == '#' )
                break;
            if ( n + 1 < max )
                buf[n++] = (char)c;
            sum += (uint8_t)c;
        }
        int h1 = hexval(getbyte(-1)), h2 = hexval(getbyte(-1));
        if ( h1 < 0 || h2 < 0 || (uint8_t)(h1 << 4 | h2) != sum )
        {
            if ( write_all("-", 1) )
                return -1;
            continue;
        }
        if ( write_all("+", 1) )
            return -1;
        buf[n] = '\0';
        logf_("<- %s\n", buf);
        return (int)n;
    }
}

/* ---- helpers --------------------------------------------------------------- */

static void put_hex_le(char **p, uint64_t v, unsigned int bytes)
{
    for ( unsigned int i = 0; i < bytes; i++ )
    {
        uint8_t b = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;   /* wider registers: zero above */
        *(*p)++ = hexd[b >> 4];
        *(*p)++ = hexd[b & 15];
    }
}

/* Parse `bytes` little-endian bytes of hex; -1 if malformed. */
static int get_hex_le(const char **p, unsigned int bytes, uint64_t *v)
{
    *v = 0;
    for ( unsigned int i = 0; i < bytes; i++ )
    {
        int hi = hexval((*p)[0]), lo = hi >= 0 ? hexval((*p)[1]) : -1;
        if ( hi < 0 || lo < 0 )
            return -1;
        if ( i < 8 )
            *v |= (uint64_t)(hi << 4 | lo) << (8 * i);
        *p += 2;
    }
    return 0;
}

/* Big-endian hex number as gdb writes addresses; stops at a non-digit. */
static int get_num(const char **p, uint64_t *v)
{
    int digits = 0, d;

    *v = 0;
    while ( (d = hexval(**p)) >= 0 )
    {
        if ( ++digits > 16 )
            return -1;
        *v = *v << 4 | (uint64_t)d;
        (*p)++;
    }
    return digits ? 0 : -1;
}

static int error_reply(int err)
{
    char b[8];

    if ( err < 0 )
        err = -err;
    snprintf(b, sizeof(b), "E%02x", err & 0xff);
    return put_str(b);
}

static uint32_t vcpu_of(unsigned int thread)
{
    return thread ? thread - 1 : 0;
}

/* ---- registers: the x86-64 target description ------------------------------ */

/* gdb's amd64 order; index into dbgv_gdbg_regs.gpr (x86 numbering). */
static const int gpr_of[16] = { 0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15 };
#define NR_REGS 57   /* 16 gprs, rip, eflags, 6 segments, 8 st, 8 x87 ctl, 16 xmm, mxcsr */

static unsigned int reg_size(unsigned int n)
{
    if ( n < 17 ) return 8;
    if ( n < 24 ) return 4;
    if ( n < 32 ) return 10;
    if ( n < 40 ) return 4;
    if ( n < 56 ) return 16;
    return 4;
}

static uint64_t reg_value(const struct dbgv_gdbg_regs *r, unsigned int n)
{
    switch ( n )
    {
    case 16: return r->rip;
    case 17: return r->rflags;
    case 18: return r->cs;
    case 19: return r->ss;
    case 20: return r->ds;
    case 21: return r->es;
    case 22: return r->fs;
    case 23: return r->gs;
    case 32: return 0x37f;           /* fctrl after FNINIT: the FPU is not virtualised here */
    case 56: return 0x1f80;          /* mxcsr reset value */
    default: return n < 16 ? r->gpr[gpr_of[n]] : 0;
    }
}

static const char target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386:x86-64</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<flags id=\"i386_eflags\" size=\"4\">\n"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
    "<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
    "</flags>\n"
    "<reg name=\"rax\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    "<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    "<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.sse\">\n"
    "<vector id=\"v8bf16\" type=\"bfloat16\" count=\"8\"/>\n"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
    "<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
    "<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
    "<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/></union>\n"
    "<flags id=\"i386_mxcsr\" size=\"4\"><field name=\"IE\" start=\"0\" end=\"0\"/></flags>\n"
    "<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\" regnum=\"40\"/>\n"
    "<reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>\n"
    "<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\"/>\n"
    "</feature>\n"
    "</target>\n";

/* ---- registers: aarch64 (regs_aarch64.c) ------------------------------------ */

static void put_bytes(char **p, const uint8_t *b, unsigned int n)
{
    for ( unsigned int i = 0; i < n; i++ )
        put_hex_le(p, b[i], 1);
}

static int get_bytes(const char **p, uint8_t *b, unsigned int n)
{
    for ( unsigned int i = 0; i < n; i++ )
    {
        uint64_t v;
        if ( get_hex_le(p, 1, &v) )
            return -1;
        b[i] = (uint8_t)v;
    }
    return 0;
}

static int a64_get(unsigned int thread, struct dbgv_gdbg_regs_arm64 *r)
{
    return dbgctl_gdbg_get_regs_arm64(h, domid, vcpu_of(thread), r);
}

static int a64_do_g(void)
{
    static char out[PKT_MAX];
    struct dbgv_gdbg_regs_arm64 r;
    uint8_t b[A64_REG_MAX];
    char *p = out;
    int rc;

    if ( (rc = a64_get(cur_thread, &r)) )
        return error_reply(rc);
    for ( unsigned int n = 0; n < A64_NR_REGS; n++ )
    {
        a64_reg_get(&r, n, b);
        put_bytes(&p, b, a64_reg_size(n));
    }
    return put_packet(out, (size_t)(p - out));
}

/* Only registers whose value changed are written: a G of unchanged values is a no-op. */
static int a64_do_G(const char *p)
{
    struct dbgv_gdbg_regs_arm64 cur, r;
    uint8_t b[A64_REG_MAX], now[A64_REG_MAX];
    uint64_t mask = 0;
    uint32_t vmask = 0;
    int rc;

    if ( (rc = a64_get(cur_thread, &cur)) )
        return error_reply(rc);
    r = cur;
    for ( unsigned int n = 0; n < A64_NR_REGS && *p; n++ )
    {
        memset(b, 0, sizeof(b));
        if ( get_bytes(&p, b, a64_reg_size(n)) )
            return error_reply(EINVAL);
        a64_reg_get(&cur, n, now);
        if ( memcmp(b, now, sizeof(b)) )
            a64_reg_set(&r, n, b, &mask, &vmask);
    }
    if ( (mask || vmask) &&
         (rc = dbgctl_gdbg_set_regs_arm64(h, domid, vcpu_of(cur_thread), mask, vmask, &r)) )
        return error_reply(rc);
    return put_str("OK");
}

static int a64_do_p(const char *p)
{
    struct dbgv_gdbg_regs_arm64 r;
    uint8_t b[A64_REG_MAX];
    char out[2 * A64_REG_MAX + 1], *o = out;
    uint64_t n;
    int rc;

    if ( get_num(&p, &n) || *p || n >= A64_NR_REGS )
        return error_reply(EINVAL);
    if ( (rc = a64_get(cur_thread, &r)) )
        return error_reply(rc);
    a64_reg_get(&r, (unsigned int)n, b);
    put_bytes(&o, b, a64_reg_size((unsigned int)n));
    return put_packet(out, (size_t)(o - out));
}

static int a64_do_P(const char *p)
{
    struct dbgv_gdbg_regs_arm64 r;
    uint8_t b[A64_REG_MAX] = { 0 };
    uint64_t n, mask = 0;
    uint32_t vmask = 0;
    int rc;

    if ( get_num(&p, &n) || *p++ != '=' || n >= A64_NR_REGS ||
         get_bytes(&p, b, a64_reg_size((unsigned int)n)) || *p )
        return error_reply(EINVAL);
    if ( (rc = a64_get(cur_thread, &r)) )
        return error_reply(rc);
    a64_reg_set(&r, (unsigned int)n, b, &mask, &vmask);
    if ( (rc = dbgctl_gdbg_set_regs_arm64(h, domid, vcpu_of(cur_thread), mask, vmask, &r)) )
        return error_reply(rc);
    return put_str("OK");
}

/* ---- registers: x86-64 -------------------------------------------------------- */

static int get_regs(unsigned int thread, struct dbgv_gdbg_regs *r)
{
    return dbgctl_gdbg_get_regs(h, domid, vcpu_of(thread), r);
}

static int do_g(void)
{
    static char out[PKT_MAX];
    struct dbgv_gdbg_regs r;
    char *p = out;
    int rc;

    if ( (rc = get_regs(cur_thread, &r)) )
        return error_reply(rc);
    for ( unsigned int n = 0; n < NR_REGS; n++ )
        put_hex_le(&p, reg_value(&r, n), reg_size(n));
    return put_packet(out, (size_t)(p - out));
}

/* Apply gdb's value for register n to the mask/regs of a SET_REGS. */
static void set_reg(unsigned int n, uint64_t v, uint32_t *mask, struct dbgv_gdbg_regs *r)
{
    if ( n < 16 )
    {
        r->gpr[gpr_of[n]] = v;
        *mask |= 1u << gpr_of[n];
    }
    else if ( n == 16 )
    {
        r->rip = v;
        *mask |= DBGV_GDBG_REG_RIP;
    }
    else if ( n == 17 )
    {
        r->rflags = v;
        *mask |= DBGV_GDBG_REG_RFLAGS;
    }
    /* segments, x87 and SSE: not writable through this stub */
}

static int do_G(const char *p)
{
    struct dbgv_gdbg_regs r, cur;
    uint32_t mask = 0;
    int rc;

    if ( (rc = get_regs(cur_thread, &cur)) )
        return error_reply(rc);
    memset(&r, 0, sizeof(r));
    for ( unsigned int n = 0; n < NR_REGS && *p; n++ )
    {
        uint64_t v;

        if ( get_hex_le(&p, reg_size(n), &v) )
            return error_reply(EINVAL);
        /* Only what changed: a G of unchanged values is a no-op. */
        if ( n < 18 && v != reg_value(&cur, n) )
            set_reg(n, v, &mask, &r);
    }
    if ( mask && (rc = dbgctl_gdbg_set_regs(h, domid, vcpu_of(cur_thread), mask, &r)) )
        return error_reply(rc);
    return put_str("OK");
}

static int do_p(const char *p)
{
    struct dbgv_gdbg_regs r;
    uint64_t n;
    char out[64], *o = out;
    int rc;

    if ( get_num(&p, &n) || *p || n >= NR_REGS )
        return error_reply(EINVAL);
    if ( (rc = get_regs(cur_thread, &r)) )
        return error_reply(rc);
    put_hex_le(&o, reg_value(&r, (unsigned int)n), reg_size((unsigned int)n));
    return put_packet(out, (size_t)(o - out));
}

static int do_P(const char *p)
{
    struct dbgv_gdbg_regs r;
    uint32_t mask = 0;
    uint64_t n, v;
    int rc;

    if ( get_num(&p, &n) || *p++ != '=' || n >= NR_REGS ||
         get_hex_le(&p, reg_size((unsigned int)n), &v) || *p )
        return error_reply(EINVAL);
    memset(&r, 0, sizeof(r));
    set_reg((unsigned int)n, v, &mask, &r);
    if ( mask && (rc = dbgctl_gdbg_set_regs(h, domid, vcpu_of(cur_thread), mask, &r)) )
        return error_reply(rc);
    return put_str("OK");
}

/* ---- memory ------------------------------------------------------------------ */

static int do_m(const char *p)
{
    static char out[PKT_MAX];
    uint8_t buf[PKT_MAX / 2];
    uint64_t addr, len;
    char *o = out;
    int rc;

    if ( get_num(&p, &addr) || *p++ != ',' || get_num(&p, &len) || *p )
        return error_reply(EINVAL);
    if ( len > sizeof(buf) - 1 )
        len = sizeof(buf) - 1;
    if ( len == 0 )
        return put_str("");
    if ( (rc = dbgctl_gdbg_read(h, domid, vcpu_of(cur_thread), addr, true, buf, len)) )
    {
        /* Partial read up to the first unmapped page. */
        uint64_t room = 0x1000 - (addr & 0xfff);
        if ( room >= len ||
             dbgctl_gdbg_read(h, domid, vcpu_of(cur_thread), addr, true, buf, room) )
            return error_reply(EFAULT);
        len = room;
    }
    for ( uint64_t i = 0; i < len; i++ )
        put_hex_le(&o, buf[i], 1);
    return put_packet(out, (size_t)(o - out));
}

static int do_M(const char *p, bool binary, size_t pkt_len, const char *pkt)
{
    uint8_t buf[PKT_MAX];
    uint64_t addr, len;
    int rc;

    if ( get_num(&p, &addr) || *p++ != ',' || get_num(&p, &len) || *p++ != ':' ||
         len > sizeof(buf) )
        return error_reply(EINVAL);
    if ( binary )
    {
        const char *end = pkt + pkt_len;
        uint64_t n = 0;

        while ( p < end && n < len )
        {
            uint8_t c = (uint8_t)*p++;
            if ( c == 0x7d )
            {
                if ( p >= end )
                    return error_reply(EINVAL);
                c = (uint8_t)(*p++ ^ 0x20);
            }
            buf[n++] = c;
        }
        if ( n != len || p != end )
            return error_reply(EINVAL);
    }
    else
    {
        for ( uint64_t i = 0; i < len; i++ )
        {
            uint64_t v;
            if ( get_hex_le(&p, 1, &v) )
                return error_reply(EINVAL);
            buf[i] = (uint8_t)v;
        }
        if ( *p )
            return error_reply(EINVAL);
    }
    if ( len == 0 )
        return put_str("OK");
    if ( (rc = dbgctl_gdbg_write(h, domid, vcpu_of(cur_thread), addr, true, buf, len)) )
        return error_reply(rc);
    return put_str("OK");
}

/* ---- breakpoints ---------------------------------------------------------------- */

static int do_Z(const char *p, bool insert)
{
    static const unsigned int gdbg_type[] = {
        DBGV_GDBG_BP_EXEC, DBGV_GDBG_BP_EXEC, DBGV_GDBG_BP_WRITE, DBGV_GDBG_BP_READ,
        DBGV_GDBG_BP_RW,
    };
    uint64_t type, addr, kind;
    unsigned int len;
    int id = -1, rc;

    if ( get_num(&p, &type) || *p++ != ',' || get_num(&p, &addr) || *p++ != ',' ||
         get_num(&p, &kind) || type > 4 )
        return error_reply(EINVAL);
    /* Conditions and commands after ';' are not supported: ignore them. */
    len = type < 2 ? 1 : (unsigned int)kind;
    for ( int i = 0; i < NR_BP; i++ )
        if ( bps[i].used && bps[i].ztype == (int)type && bps[i].addr == addr &&
             bps[i].len == len )
            id = i;
    if ( !insert )
    {
        if ( id < 0 )
            return put_str("OK");       /* already gone */
        if ( (rc = dbgctl_gdbg_clear_bp(h, domid, DBGV_GDBG_ALL_VCPUS, (unsigned int)id)) )
            return error_reply(rc);
        bps[id].used = false;
        return put_str("OK");
    }
    if ( id >= 0 )
        return put_str("OK");           /* gdb inserted it twice */
    if ( len != 1 && len != 2 && len != 4 && len != 8 )
        return put_str("");             /* unsupported: gdb falls back */
    for ( int i = 0; i < NR_BP && id < 0; i++ )
        if ( !bps[i].used )
            id = i;
    if ( id < 0 )
        return error_reply(ENOSPC);
    if ( (rc = dbgctl_gdbg_set_bp(h, domid, DBGV_GDBG_ALL_VCPUS, (unsigned int)id,
                                  gdbg_type[type], len, addr)) )
        return error_reply(rc);
    bps[id].used = true;
    bps[id].ztype = (int)type;
    bps[id].addr = addr;
    bps[id].len = len;
    return put_str("OK");
}

/* ---- running --------------------------------------------------------------------- */

static int stop_reply(const struct dbgv_ctl_event *e)
{
    char out[128];

    switch ( e->type )
    {
    case DBGV_EV_DOMAIN_SHUTDOWN:
        snprintf(out, sizeof(out), "W%02x", (unsigned int)e->code & 0xff);
        return put_str(out);
    case DBGV_EV_DOMAIN_CRASHED:
    case DBGV_EV_DOMAIN_DESTROYED:
        return put_str("X09");
    default:
        break;
    }
    cur_thread = e->vcpu + 1;
    int n = snprintf(out, sizeof(out), "T05thread:%x;", cur_thread);
    uint32_t hit = (uint32_t)e->code;
    for ( int i = 0; i < NR_BP; i++ )
    {
        if ( !(hit & (1u << i)) || !bps[i].used )
            continue;
        if ( bps[i].ztype >= 2 )
        {
            static const char *const kind[] = { "", "", "watch", "rwatch", "awatch" };
            snprintf(out + n, sizeof(out) - (size_t)n, "%s:%" PRIx64 ";", kind[bps[i].ztype],
                     bps[i].addr);
            return put_str(out);
        }
        snprintf(out + n, sizeof(out) - (size_t)n, "hwbreak:;");
        return put_str(out);
    }
    return put_str(out);
}

/* Wait for the next debug event, answering Ctrl-C by pausing the domain. */
static int wait_stop(void)
{
    struct dbgv_ctl_event ev;

    for ( ;; )
    {
        int rc = dbgctl_gdbg_wait(h, domid, &cursor, 100, &ev);

        if ( rc == 0 )
            return stop_reply(&ev);
        if ( rc != -ETIMEDOUT )
        {
            fprintf(stderr, "gdbsx: waiting for the domain: %s\n", dbgctl_strerror(rc));
            return put_str("X09");
        }
        int c = getbyte(0);
        if ( c == -1 )
            return -1;
        if ( c == 0x03 )
        {
            if ( (rc = dbgctl_gdbg_pause(h, domid)) )
                fprintf(stderr, "gdbsx: pause: %s\n", dbgctl_strerror(rc));
            /* An event that raced with the pause wins. */
            if ( dbgctl_gdbg_wait(h, domid, &cursor, 0, &ev) == 0 )
                return stop_reply(&ev);
            char out[32];
            snprintf(out, sizeof(out), "T02thread:%x;", cur_thread);
            return put_str(out);
        }
    }
}

static int resume(bool step, unsigned int thread)
{
    int rc;

    if ( (rc = dbgctl_gdbg_event_cursor(h, domid, &cursor)) )
        return error_reply(rc);
    if ( step )
    {
        if ( !thread )
            thread = step_thread ? step_thread : cur_thread;
        rc = dbgctl_gdbg_step(h, domid, vcpu_of(thread), 0);
    }
    else
        rc = dbgctl_gdbg_continue(h, domid);
    if ( rc )
        return error_reply(rc);
    return wait_stop();
}

/* vCont;action[:thread][;action[:thread]]... : a step action wins. */
static int do_vcont(const char *p)
{
    bool step = false, any = false;
    unsigned int thread = 0;

    while ( *p == ';' )
    {
        char a = *++p;
        uint64_t t = 0;

        if ( a != 'c' && a != 's' && a != 'C' && a != 'S' && a != 't' )
            return error_reply(EINVAL);
        p++;
        if ( a == 'C' || a == 'S' )
        {
            uint64_t sig;
            if ( get_num(&p, &sig) )
                return error_reply(EINVAL);
        }
        if ( *p == ':' )
        {
            p++;
            if ( *p == '-' )
            {
                p += 2;             /* -1: all threads */
                t = 0;
            }
            else if ( get_num(&p, &t) || t == 0 || t > nr_vcpus )
                return error_reply(EINVAL);
        }
        if ( (a == 's' || a == 'S') && !step )
        {
            step = true;
            thread = (unsigned int)t;
        }
        any |= a != 't';
    }
    if ( *p || !any )
        return error_reply(EINVAL);
    return resume(step, thread);
}

static int do_H(const char *p)
{
    char op = *p++;
    uint64_t t;

    if ( *p == '-' && p[1] == '1' && !p[2] )
        t = 0;
    else if ( get_num(&p, &t) || *p || t > nr_vcpus )
        return error_reply(EINVAL);
    if ( op == 'g' )
        cur_thread = t ? (unsigned int)t : cur_thread;
    else if ( op == 'c' )
        step_thread = (unsigned int)t;
    else
        return error_reply(EINVAL);
    return put_str("OK");
}

static int do_xfer(const char *p)
{
    static char out[PKT_MAX];
    const char *pre = "qXfer:features:read:target.xml:";
    uint64_t off, len;

    if ( strncmp(p, pre, strlen(pre)) )
        return put_str("");
    p += strlen(pre);
    if ( get_num(&p, &off) || *p++ != ',' || get_num(&p, &len) || *p )
        return error_reply(EINVAL);
    const char *xml = aarch64 ? a64_target_xml : target_xml;
    size_t xml_len = aarch64 ? a64_target_xml_len : sizeof(target_xml) - 1;
    if ( off >= xml_len )
        return put_str("l");
    if ( len > sizeof(out) - 2 )
        len = sizeof(out) - 2;
    size_t left = xml_len - off;
    size_t n = left < len ? left : len;
    out[0] = n == left ? 'l' : 'm';
    memcpy(out + 1, xml + off, n);
    return put_packet(out, n + 1);
}

static int serve(void)
{
    static char pkt[PKT_MAX + 64];

    for ( ;; )
    {
        int n = get_packet(pkt, sizeof(pkt));
        const char *p = pkt + 1;
        int rc = 0;

        if ( n == -1 )
        {
            fprintf(stderr, "gdbsx: gdb closed the connection\n");
            return 0;               /* gdb went away */
        }
        if ( n == -3 )
        {
            /* Ctrl-C while stopped: we are stopped already. */
            char out[32];
            snprintf(out, sizeof(out), "T02thread:%x;", cur_thread);
            rc = put_str(out);
            continue;
        }
        switch ( pkt[0] )
        {
        case '?':
        {
            char out[32];
            snprintf(out, sizeof(out), "T05thread:%x;", cur_thread);
            rc = put_str(out);
            break;
        }
        case 'g': rc = pkt[1] ? error_reply(EINVAL) : aarch64 ? a64_do_g() : do_g(); break;
        case 'G': rc = aarch64 ? a64_do_G(p) : do_G(p); break;
        case 'p': rc = aarch64 ? a64_do_p(p) : do_p(p); break;
        case 'P': rc = aarch64 ? a64_do_P(p) : do_P(p); break;
        case 'm': rc = do_m(p); break;
        case 'M': rc = do_M(p, false, (size_t)n, pkt); break;
        case 'X': rc = do_M(p, true, (size_t)n, pkt); break;
        case 'Z': rc = do_Z(p, true); break;
        case 'z': rc = do_Z(p, false); break;
        case 'H': rc = do_H(p); break;
        case 'c': rc = pkt[1] ? put_str("") : resume(false, 0); break;
        case 's': rc = pkt[1] ? put_str("") : resume(true, 0); break;
        case 'T':
        {
            uint64_t t;
            rc = (get_num(&p, &t) || *p || t == 0 || t > nr_vcpus) ? error_reply(ESRCH)
                                                                   : put_str("OK");
            break;
        }
        case 'D':
            put_str("OK");
            return 0;
        case 'k':
            return 0;
        case 'v':
            if ( !strcmp(pkt, "vCont?") )
                rc = put_str("vCont;c;C;s;S;t");
            else if ( !strncmp(pkt, "vCont;", 6) )
                rc = do_vcont(pkt + 5);
            else if ( !strncmp(pkt, "vKill", 5) )
            {
                put_str("OK");
                return 0;
            }
            else
                rc = put_str("");
            break;
        case 'q':
            if ( !strncmp(pkt, "qSupported", 10) )
            {
                char out[128];
                snprintf(out, sizeof(out), "PacketSize=%x;qXfer:features:read+;"
                         "hwbreak+;vContSupported+", PKT_MAX);
                rc = put_str(out);
            }
            else if ( !strncmp(pkt, "qXfer:", 6) )
                rc = do_xfer(pkt);
            else if ( !strcmp(pkt, "qfThreadInfo") )
            {
                char out[PKT_MAX], *o = out;
                *o++ = 'm';
                for ( unsigned int i = 1; i <= nr_vcpus; i++ )
                    o += sprintf(o, i > 1 ? ",%x" : "%x", i);
                rc = put_packet(out, (size_t)(o - out));
            }
            else if ( !strcmp(pkt, "qsThreadInfo") )
                rc = put_str("l");
            else if ( !strcmp(pkt, "qC") )
            {
                char out[16];
                snprintf(out, sizeof(out), "QC%x", cur_thread);
                rc = put_str(out);
            }
            else if ( !strcmp(pkt, "qAttached") )
                rc = put_str("1");
            else if ( !strncmp(pkt, "qThreadExtraInfo,", 17) )
            {
                const char *q = pkt + 17;
                uint64_t t;
                char txt[32], out[80], *o = out;
                if ( get_num(&q, &t) || *q || t == 0 || t > nr_vcpus )
                {
                    rc = error_reply(ESRCH);
                    break;
                }
                snprintf(txt, sizeof(txt), "vCPU %u", (unsigned int)(t - 1));
                for ( char *c = txt; *c; c++ )
                    put_hex_le(&o, (uint8_t)*c, 1);
                rc = put_packet(out, (size_t)(o - out));
            }
            else
                rc = put_str("");
            break;
        default:
            rc = put_str("");
            break;
        }
        if ( rc < 0 )
        {
            fprintf(stderr, "gdbsx: connection to gdb lost\n");
            return 0;
        }
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gdbsx [--port N] [--uri URI] [--arch x86_64|aarch64] [--verbose] <domain>\n"
               "Serves the GDB remote protocol for a dbgvisor domain on 127.0.0.1:N\n"
               "(default 1234) for one gdb session, then detaches.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "port", required_argument, NULL, 'p' }, { "uri", required_argument, NULL, 'u' },
        { "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
        { "arch", required_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    const char *uri = NULL;
    struct dbgv_ctl_dominfo di;
    struct sockaddr_in sa = { .sin_family = AF_INET };
    long port = 1234;
    int c, rc, lfd, one = 1, status = EXIT_FAILURE, arch = -1;   /* -1: the domain's */

    while ( (c = getopt_long(argc, argv, "p:u:vha:", opts, NULL)) != -1 )
    {
        char *end;
        switch ( c )
        {
        case 'p':
            port = strtol(optarg, &end, 10);
            if ( *end || port < 1 || port > 65535 )
            {
                usage(stderr);
                return EXIT_FAILURE;
            }
            break;
        case 'u': uri = optarg; break;
        case 'a':
            if ( strcmp(optarg, "x86_64") && strcmp(optarg, "aarch64") )
            {
                usage(stderr);
                return EXIT_FAILURE;
            }
            arch = !strcmp(optarg, "aarch64");
            break;
        case 'v': verbose = true; break;
        case 'h': usage(stdout); return EXIT_SUCCESS;
        default: usage(stderr); return EXIT_FAILURE;
        }
    }
    if ( argc - optind != 1 )
    {
        usage(stderr);
        return EXIT_FAILURE;
    }
    signal(SIGPIPE, SIG_IGN);
    if ( (rc = dbgctl_open(uri, &h)) )
    {
        fprintf(stderr, "gdbsx: cannot connect to the hypervisor: %s\n", dbgctl_strerror(rc));
        return EXIT_FAILURE;
    }
    if ( (rc = dbgctl_domain_lookup(h, argv[optind], &domid)) ||
         (rc = dbgctl_domain_info(h, domid, &di)) )
    {
        fprintf(stderr, "gdbsx: domain %s: %s\n", argv[optind], dbgctl_strerror(rc));
        goto out;
    }
    nr_vcpus = di.nr_vcpus ? di.nr_vcpus : 1;

    /* Loopback only: the stub gives full control over the guest. */
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ( lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
         bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1) )
    {
        fprintf(stderr, "gdbsx: cannot listen on 127.0.0.1:%ld: %s\n", port, strerror(errno));
        goto out;
    }
    if ( (rc = dbgctl_gdbg_attach(h, domid)) )
    {
        fprintf(stderr, "gdbsx: attach to domain %u: %s\n", domid, dbgctl_strerror(rc));
        close(lfd);
        goto out;
    }
    if ( arch < 0 )
    {
        struct dbgv_gdbg_regs_arm64 a;
        aarch64 = dbgctl_gdbg_get_regs_arm64(h, domid, 0, &a) == 0;
    }
    else
        aarch64 = arch;
    fprintf(stderr, "gdbsx: domain %u (%s, %s) paused; listening on 127.0.0.1:%ld\n", domid,
            di.name, aarch64 ? "aarch64" : "x86-64", port);
    fd = accept(lfd, NULL, NULL);
    close(lfd);
    if ( fd < 0 )
    {
        fprintf(stderr, "gdbsx: accept: %s\n", strerror(errno));
    }
    else
    {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        serve();
        close(fd);
        status = EXIT_SUCCESS;
    }
    /* The host's breakpoints come out and the domain runs on. */
    if ( (rc = dbgctl_gdbg_detach(h, domid)) && rc != -ESRCH )
        fprintf(stderr, "gdbsx: detach: %s\n", dbgctl_strerror(rc));
    fprintf(stderr, "gdbsx: detached from domain %u\n", domid);
 out:
    dbgctl_close(h);
    return status;
}
