/* C entry, multiboot info, command line, exit. */
#include "guest.h"

struct mb_info *mb_info;
/* Written by the entry code (entry32.S/entry64.S, trampoline.S) from EAX and
 * EDX, before the BSS is cleared: so they live in .data. */
uint32_t mb_magic __attribute__((section(".data"))), ap_boot_edx __attribute__((section(".data")));
static struct mb_info mb_copy;
/* The loader may place the info and command line anywhere in low RAM (the
 * AP trampoline or memtest could overwrite them), so keep private copies. */
static char cmdline_copy[256];

void guest_start(uint32_t mbi);
void guest_start(uint32_t mbi)
{
    if (mbi) {
        memcpy(&mb_copy, (void *)(unsigned long)mbi, sizeof(mb_copy));
        mb_info = &mb_copy;
        if ((mb_copy.flags & BIT(2)) && mb_copy.cmdline) {
            const char *s = (const char *)(unsigned long)mb_copy.cmdline;
            size_t i;
            for (i = 0; i + 1 < sizeof(cmdline_copy) && s[i]; i++)
                cmdline_copy[i] = s[i];
            cmdline_copy[i] = 0;
        }
    }
    trap_init();
    apic_init();
    guest_exit((uint32_t)main());
}

const char *cmdline(void)
{
    return cmdline_copy;
}

uint64_t mem_upper_bytes(void)
{
    if (!mb_info || !(mb_info->flags & BIT(0)))
        return 0;
    return 0x100000ULL + (uint64_t)mb_info->mem_upper * 1024;
}

/* Finds `key=` at the start of a whitespace-separated word. QEMU passes the
 * kernel path as the first word, so any position is accepted. */
unsigned long cmdline_uint(const char *key, unsigned long def)
{
    const char *s = cmdline_copy;
    size_t kl = strlen(key);

    while (*s) {
        while (*s == ' ')
            s++;
        if (!strncmp(s, key, kl) && s[kl] == '=') {
            const char *p = s + kl + 1;
            unsigned long v = 0, base = 10;
            if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
                base = 16;
                p += 2;
            }
            for (;; p++) {
                int d;
                if (*p >= '0' && *p <= '9') d = *p - '0';
                else if (base == 16 && *p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
                else if (base == 16 && *p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
                else break;
                v = v * base + d;
            }
            return v;
        }
        while (*s && *s != ' ')
            s++;
    }
    return def;
}

void (*shutdown_handler)(int reason);

int shutdown_requested(void)
{
    uint8_t r = inb(SHUTDOWN_REQUEST_PORT);
    return r == 0 || r == 0xff ? -1 : r - 1;   /* 0xff: no such port (empty bus) */
}

void shutdown_poll(void)
{
    int reason = shutdown_requested();

    if (reason < 0)
        return;
    if (shutdown_handler)
        shutdown_handler(reason);
    printf("shutdown requested (reason %d)\n", reason);
    if (reason == 0)
        guest_exit(0);
    guest_shutdown(reason);
}

noreturn void guest_shutdown(int reason)
{
    outb(SHUTDOWN_REQUEST_PORT, (uint8_t)reason);
    halt_forever();
}

noreturn void guest_exit(uint32_t code)
{
    outl(0xF4, code);
    /* Only reached without an exit device: park the CPU. */
    halt_forever();
}

noreturn void halt_forever(void)
{
    for (;;)
        asm volatile("cli; hlt");
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

void sse_enable(void)
{
    write_cr0((read_cr0() & ~BIT(2)) | BIT(1));
    write_cr4(read_cr4() | BIT(9) | BIT(10));
}

/* One statement per register: XMM numbers cannot be computed at run time. */
#define XMM_LO(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#ifdef __x86_64__
#define XMM_ALL(X) XMM_LO(X) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#else
#define XMM_ALL(X) XMM_LO(X)
#endif
#define XMM_LOAD(n)  asm volatile("movdqu %0, %%xmm" #n :: "m"(slots[n]));
#define XMM_STORE(n) asm volatile("movdqu %%xmm" #n ", %0" : "=m"(slots[n]));

void sse_load_all(const uint64_t (*slots)[2]) { XMM_ALL(XMM_LOAD) }
void sse_store_all(uint64_t (*slots)[2]) { XMM_ALL(XMM_STORE) }
