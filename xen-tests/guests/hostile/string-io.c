/*
 * hostile: pcpus=1 policies=trap native=compare
 *
 * string-io: INS/OUTS with and without REP, forwards and backwards (DF),
 * byte/word/dword, a zero count, and a REP long enough that the hypervisor
 * must do it in restartable chunks. The old hypervisor crashed the domain
 * on any string I/O ("string I/O to port ... is not supported"); hardware
 * just does it. Output reaches the console through REP OUTSB to the UART.
 */
#include "guest.h"

static char msg[] = "string-io: hello through rep outsb\n";
static const char rev[] = "\nbstuo per ot sdrawkcab :oi-gnirts";
static uint8_t lsr[64];
static uint8_t big[3000];

int main(void)
{
    unsigned long si, cx;

    /* REP OUTSB forwards. */
    si = (unsigned long)msg; cx = sizeof(msg) - 1;
    asm volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0x3f8) : "memory");
    report(cx == 0 && si == (unsigned long)msg + sizeof(msg) - 1, "rep outsb: RCX 0, RSI past the string");

    /* REP OUTSB backwards with DF=1. */
    si = (unsigned long)&rev[sizeof(rev) - 2]; cx = sizeof(rev) - 1;
    asm volatile("std; rep outsb; cld" : "+S"(si), "+c"(cx) : "d"(0x3f8) : "memory");
    report(cx == 0 && si == (unsigned long)rev - 1, "std; rep outsb: RSI walks down");
    printf("\n");

    /* REP INSB from the UART's LSR: THR empty, transmitter empty. */
    unsigned long di = (unsigned long)lsr; cx = sizeof(lsr);
    asm volatile("rep insb" : "+D"(di), "+c"(cx) : "d"(0x3fd) : "memory");
    bool all = true;
    for (unsigned i = 0; i < sizeof(lsr); i++)
        all &= lsr[i] == lsr[0];
    printf("string-io: lsr via rep insb: %#x\n", lsr[0]);
    report(cx == 0 && di == (unsigned long)lsr + sizeof(lsr) && all, "rep insb: %zu reads", sizeof(lsr));

    /* Zero count: nothing happens, registers unchanged. */
    si = (unsigned long)msg; cx = 0;
    asm volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0x3f8) : "memory");
    report(cx == 0 && si == (unsigned long)msg, "rep outsb with RCX=0 does nothing");

    /* Single OUTSW/OUTSL to the POST port, INSL from an empty ISA port. */
    uint32_t in = 0;
    si = (unsigned long)msg;
    asm volatile("outsw; outsl" : "+S"(si) : "d"(0x80) : "memory");
    di = (unsigned long)&in;
    asm volatile("insl" : "+D"(di) : "d"(0x2ff0) : "memory");
    report(si == (unsigned long)msg + 6 && di == (unsigned long)&in + 4, "outsw+outsl move RSI by 6, insl RDI by 4");
    printf("string-io: insl from an empty port: %#x\n", in);

    /* A long REP: restartable chunks must still add up. */
    si = (unsigned long)big; cx = sizeof(big);
    asm volatile("rep outsb" : "+S"(si), "+c"(cx) : "d"(0x80) : "memory");
    report(cx == 0 && si == (unsigned long)big + sizeof(big), "rep outsb of %zu bytes completes", sizeof(big));

    /* 32-bit address size (0x67): RSI wraps in 32 bits. */
    si = (unsigned long)msg; cx = 4;
    asm volatile(".byte 0x67; rep outsb" : "+S"(si), "+c"(cx) : "d"(0x80) : "memory");
    report(cx == 0 && si == (unsigned long)msg + 4, "addr32 rep outsb");
    return report_summary();
}
