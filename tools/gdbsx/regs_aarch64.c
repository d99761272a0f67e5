/*
 * gdb's aarch64 register file over struct dbgv_gdbg_regs_arm64
 * (regs_aarch64.h). The target description names the registers gdb's
 * aarch64 port requires (x0-x30, sp, pc, cpsr in the core feature; v0-v31,
 * fpsr, fpcr in the fpu feature), in the order of gdb's numbering.
 */
#include <string.h>
#include "regs_aarch64.h"

#define REG_SP     31
#define REG_PC     32
#define REG_CPSR   33
#define REG_V0     34
#define REG_FPSR   66
#define REG_FPCR   67

const char a64_target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>aarch64</architecture>\n"
    "<feature name=\"org.gnu.gdb.aarch64.core\">\n"
    "<reg name=\"x0\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x1\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x2\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x3\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x4\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x5\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x6\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x7\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x8\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x9\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x10\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x11\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x12\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x13\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x14\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x15\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x16\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x17\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x18\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x19\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x20\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x21\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x22\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x23\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x24\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x25\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x26\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x27\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x28\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x29\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"x30\" bitsize=\"64\" type=\"int\"/>\n"
    "<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\"/>\n"
    "<flags id=\"cpsr_flags\" size=\"4\">\n"
    "<field name=\"SP\" start=\"0\" end=\"0\"/><field name=\"EL\" start=\"2\" end=\"3\"/>\n"
    "<field name=\"nRW\" start=\"4\" end=\"4\"/><field name=\"F\" start=\"6\" end=\"6\"/>\n"
    "<field name=\"I\" start=\"7\" end=\"7\"/><field name=\"A\" start=\"8\" end=\"8\"/>\n"
    "<field name=\"D\" start=\"9\" end=\"9\"/><field name=\"BTYPE\" start=\"10\" end=\"11\"/>\n"
    "<field name=\"SSBS\" start=\"12\" end=\"12\"/><field name=\"IL\" start=\"20\" end=\"20\"/>\n"
    "<field name=\"SS\" start=\"21\" end=\"21\"/><field name=\"PAN\" start=\"22\" end=\"22\"/>\n"
    "<field name=\"UAO\" start=\"23\" end=\"23\"/><field name=\"DIT\" start=\"24\" end=\"24\"/>\n"
    "<field name=\"V\" start=\"28\" end=\"28\"/><field name=\"C\" start=\"29\" end=\"29\"/>\n"
    "<field name=\"Z\" start=\"30\" end=\"30\"/><field name=\"N\" start=\"31\" end=\"31\"/>\n"
    "</flags>\n"
    "<reg name=\"cpsr\" bitsize=\"32\" type=\"cpsr_flags\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
    "<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
    "<vector id=\"v2i\" type=\"int64\" count=\"2\"/>\n"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
    "<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n"
    "<vector id=\"v4i\" type=\"int32\" count=\"4\"/>\n"
    "<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n"
    "<vector id=\"v8i\" type=\"int16\" count=\"8\"/>\n"
    "<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n"
    "<vector id=\"v16i\" type=\"int8\" count=\"16\"/>\n"
    "<vector id=\"v1u\" type=\"uint128\" count=\"1\"/>\n"
    "<vector id=\"v1i\" type=\"int128\" count=\"1\"/>\n"
    "<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
    "<field name=\"s\" type=\"v2i\"/></union>\n"
    "<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
    "<field name=\"s\" type=\"v4i\"/></union>\n"
    "<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/></union>\n"
    "<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/></union>\n"
    "<union id=\"vnq\"><field name=\"u\" type=\"v1u\"/><field name=\"s\" type=\"v1i\"/></union>\n"
    "<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
    "<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/>"
    "<field name=\"q\" type=\"vnq\"/></union>\n"
    "<reg name=\"v0\" bitsize=\"128\" type=\"aarch64v\" regnum=\"34\"/>\n"
    "<reg name=\"v1\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v2\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v3\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v4\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v5\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v6\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v7\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v8\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v9\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v10\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v11\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v12\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v13\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v14\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v15\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v16\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v17\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v18\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v19\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v20\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v21\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v22\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v23\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v24\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v25\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v26\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v27\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v28\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v29\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v30\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"v31\" bitsize=\"128\" type=\"aarch64v\"/>\n"
    "<reg name=\"fpsr\" bitsize=\"32\" type=\"int\"/>\n"
    "<reg name=\"fpcr\" bitsize=\"32\" type=\"int\"/>\n"
    "</feature>\n"
    "</target>\n";
const size_t a64_target_xml_len = sizeof(a64_target_xml) - 1;

unsigned int a64_reg_size(unsigned int n)
{
    if ( n < REG_CPSR )
        return 8;
    if ( n >= REG_V0 && n < REG_FPSR )
        return 16;
    return 4;                       /* cpsr, fpsr, fpcr */
}

static void put_le(uint8_t *out, uint64_t v, unsigned int bytes)
{
    for ( unsigned int i = 0; i < bytes; i++ )
        out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, unsigned int bytes)
{
    uint64_t v = 0;

    for ( unsigned int i = 0; i < bytes; i++ )
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

void a64_reg_get(const struct dbgv_gdbg_regs_arm64 *r, unsigned int n, uint8_t out[A64_REG_MAX])
{
    memset(out, 0, A64_REG_MAX);
    if ( n < REG_SP )
        put_le(out, r->x[n], 8);
    else if ( n == REG_SP )
        put_le(out, r->sp, 8);
    else if ( n == REG_PC )
        put_le(out, r->pc, 8);
    else if ( n == REG_CPSR )
        put_le(out, r->pstate, 4);
    else if ( n < REG_FPSR )
    {
        put_le(out, r->v[n - REG_V0][0], 8);
        put_le(out + 8, r->v[n - REG_V0][1], 8);
    }
    else if ( n == REG_FPSR )
        put_le(out, r->fpsr, 4);
    else if ( n == REG_FPCR )
        put_le(out, r->fpcr, 4);
}

void a64_reg_set(struct dbgv_gdbg_regs_arm64 *r, unsigned int n, const uint8_t in[A64_REG_MAX],
                 uint64_t *mask, uint32_t *vmask)
{
    if ( n < REG_SP )
    {
        r->x[n] = get_le(in, 8);
        *mask |= 1ull << n;
    }
    else if ( n == REG_SP )
    {
        r->sp = get_le(in, 8);
        *mask |= DBGV_GDBG_A64_SP;
    }
    else if ( n == REG_PC )
    {
        r->pc = get_le(in, 8);
        *mask |= DBGV_GDBG_A64_PC;
    }
    else if ( n == REG_CPSR )
    {
        /* gdb's cpsr is 32 bits: the upper half of PSTATE stays as it is. */
        r->pstate = (r->pstate & ~0xffffffffull) | get_le(in, 4);
        *mask |= DBGV_GDBG_A64_PSTATE;
    }
    else if ( n < REG_FPSR )
    {
        r->v[n - REG_V0][0] = get_le(in, 8);
        r->v[n - REG_V0][1] = get_le(in + 8, 8);
        *vmask |= 1u << (n - REG_V0);
    }
    else if ( n == REG_FPSR )
    {
        r->fpsr = (uint32_t)get_le(in, 4);
        *mask |= DBGV_GDBG_A64_FPSR;
    }
    else if ( n == REG_FPCR )
    {
        r->fpcr = (uint32_t)get_le(in, 4);
        *mask |= DBGV_GDBG_A64_FPCR;
    }
}
