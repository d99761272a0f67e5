/* Polled 16550 output and a small printf. */
#include "guest.h"

#define UART_THR 0x3F8
#define UART_LSR 0x3FD
#define LSR_THRE 0x20

static volatile int console_lock;

void putchar_serial(char c)
{
    while (!(inb(UART_LSR) & LSR_THRE))
        pause();
    outb(UART_THR, (uint8_t)c);
}

void puts_serial(const char *s)
{
    while (*s)
        putchar_serial(*s++);
}

struct outbuf { char *buf; size_t size, len; };

static void emit(struct outbuf *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void emit_num(struct outbuf *o, unsigned long long v, unsigned base, bool upper,
                     bool neg, int width, bool zero, bool left, const char *prefix)
{
    char tmp[24];
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0, plen = (int)strlen(prefix) + (neg ? 1 : 0);

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    int pad = width - n - plen;
    if (!left && !zero)
        for (; pad > 0; pad--) emit(o, ' ');
    if (neg) emit(o, '-');
    while (*prefix) emit(o, *prefix++);
    if (!left && zero)
        for (; pad > 0; pad--) emit(o, '0');
    while (n) emit(o, tmp[--n]);
    if (left)
        for (; pad > 0; pad--) emit(o, ' ');
}

static int vformat(struct outbuf *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(o, *fmt);
            continue;
        }
        bool zero = false, left = false, alt = false;
        int width = 0, lng = 0;
        for (;; fmt++) {
            if (fmt[1] == '0') zero = true;
            else if (fmt[1] == '-') left = true;
            else if (fmt[1] == '#') alt = true;
            else break;
        }
        fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z') {
            lng++;
            fmt++;
        }
        unsigned long long u;
        long long s;
        switch (*fmt) {
        case 'd': case 'i':
            s = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
            emit_num(o, s < 0 ? -(unsigned long long)s : (unsigned long long)s, 10, false,
                     s < 0, width, zero, left, "");
            break;
        case 'u': case 'x': case 'X':
            u = lng >= 2 ? va_arg(ap, unsigned long long)
              : lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            emit_num(o, u, *fmt == 'u' ? 10 : 16, *fmt == 'X', false, width, zero, left,
                     alt && *fmt != 'u' ? "0x" : "");
            break;
        case 'p':
            emit_num(o, (unsigned long)va_arg(ap, void *), 16, false, false, width, zero,
                     left, "0x");
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str) str = "(null)";
            int pad = width - (int)strlen(str);
            if (!left) for (; pad > 0; pad--) emit(o, ' ');
            while (*str) emit(o, *str++);
            if (left) for (; pad > 0; pad--) emit(o, ' ');
            break;
        }
        case 'c':
            emit(o, (char)va_arg(ap, int));
            break;
        case '%':
            emit(o, '%');
            break;
        case 0:
            fmt--;
            break;
        default:
            emit(o, '%');
            emit(o, *fmt);
        }
    }
    if (o->size)
        o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
    return (int)o->len;
}

int vsnprintf(char *buf, size_t sz, const char *fmt, va_list ap)
{
    struct outbuf o = { buf, sz, 0 };
    return vformat(&o, fmt, ap);
}

int snprintf(char *buf, size_t sz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sz, fmt, ap);
    va_end(ap);
    return n;
}

/* Formats into a local buffer first so that lines from several CPUs never
 * interleave mid-line. */
int vprintf(const char *fmt, va_list ap)
{
    char buf[256];
    struct outbuf o = { buf, sizeof(buf), 0 };
    int n = vformat(&o, fmt, ap);
    spin_lock(&console_lock);
    puts_serial(buf);
    spin_unlock(&console_lock);
    return n;
}

/* The fatal-exception path may interrupt a printf holding the lock. */
void console_force_unlock(void)
{
    console_lock = 0;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
