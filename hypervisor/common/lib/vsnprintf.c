/* Freestanding vsnprintf/snprintf: the C99 subset the hypervisor uses.
 * Conversions d i u x X o p s c %; flags - 0 space + #; width and precision
 * (also as *); length modifiers hh h l ll z t j. Output matches glibc. */
#include <dbgvisor/lib.h>

#define F_LEFT  0x01 /* '-' */
#define F_ZERO  0x02 /* '0' */
#define F_SPACE 0x04 /* ' ' */
#define F_PLUS  0x08 /* '+' */
#define F_ALT   0x10 /* '#' */

struct out {
    char *buf;
    size_t size;
    size_t pos; /* would-be length; bytes past size-1 are dropped */
};

static void put(struct out *o, char c)
{
    if (o->pos + 1 < o->size)
        o->buf[o->pos] = c;
    o->pos++;
}

static void put_n(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

static void put_str(struct out *o, const char *s, size_t n)
{
    while (n--)
        put(o, *s++);
}

/* Emits [pad][prefix][zeros][body][pad] per the field's flags and width. */
static void emit_field(struct out *o, int flags, int width, const char *prefix,
                       int zeros, const char *body, size_t blen)
{
    size_t plen = strlen(prefix);
    int len = (int)(plen + blen) + zeros;
    int pad = width > len ? width - len : 0;

    if (!(flags & F_LEFT) && !(flags & F_ZERO))
        put_n(o, ' ', pad);
    put_str(o, prefix, plen);
    if (!(flags & F_LEFT) && (flags & F_ZERO))
        put_n(o, '0', pad);
    put_n(o, '0', zeros);
    put_str(o, body, blen);
    if (flags & F_LEFT)
        put_n(o, ' ', pad);
}

static void emit_int(struct out *o, uint64_t v, bool neg, unsigned base, bool upper,
                     int flags, int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24]; /* 22 octal digits cover 64 bits */
    char prefix[3] = "";
    int n = 0, zeros;

    while (v) {
        tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
        v /= base;
    }
    if (prec < 0)
        prec = 1;               /* default: at least one digit */
    else
        flags &= ~F_ZERO;       /* C99: '0' is ignored when a precision is given */
    zeros = prec > n ? prec - n : 0;

    if (neg)
        prefix[0] = '-';
    else if (flags & F_PLUS)
        prefix[0] = '+';
    else if (flags & F_SPACE)
        prefix[0] = ' ';
    if (flags & F_ALT) {
        if (base == 8 && zeros == 0 && (n == 0 || tmp[sizeof(tmp) - n] != '0'))
            zeros = 1;          /* '#o': first digit must be 0 */
        if (base == 16 && n > 0) {
            prefix[0] = '0';
            prefix[1] = upper ? 'X' : 'x';
        }
    }
    emit_field(o, flags, width, prefix, zeros, tmp + sizeof(tmp) - n, (size_t)n);
}

enum len_mod { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J };

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        const char *spec = fmt;
        int flags = 0, width = 0, prec = -1;
        enum len_mod lm = L_NONE;
        char conv;

        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        fmt++;
        for (;; fmt++) {
            if (*fmt == '-')      flags |= F_LEFT;
            else if (*fmt == '0') flags |= F_ZERO;
            else if (*fmt == ' ') flags |= F_SPACE;
            else if (*fmt == '+') flags |= F_PLUS;
            else if (*fmt == '#') flags |= F_ALT;
            else break;
        }
        if (*fmt == '*') {
            width = va_arg(args, int);
            if (width < 0) {    /* negative width means '-' flag */
                flags |= F_LEFT;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(args, int);
                if (prec < 0)   /* negative precision means none */
                    prec = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        switch (*fmt) {
        case 'h': lm = fmt[1] == 'h' ? L_HH : L_H; break;
        case 'l': lm = fmt[1] == 'l' ? L_LL : L_L; break;
        case 'z': lm = L_Z; break;
        case 't': lm = L_T; break;
        case 'j': lm = L_J; break;
        }
        fmt += (lm == L_HH || lm == L_LL) ? 2 : lm != L_NONE;
        if (flags & F_LEFT)
            flags &= ~F_ZERO;
        if (flags & F_PLUS)
            flags &= ~F_SPACE;

        conv = *fmt;
        if (conv == 0) {        /* truncated spec: print it literally */
            put_str(&o, spec, (size_t)(fmt - spec));
            break;
        }
        fmt++;
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v;

            switch (lm) {
            case L_HH: v = (signed char)va_arg(args, int); break;
            case L_H:  v = (short)va_arg(args, int); break;
            case L_L:  v = va_arg(args, long); break;
            case L_LL: v = va_arg(args, long long); break;
            case L_Z:  v = va_arg(args, ptrdiff_t); break; /* signed size_t */
            case L_T:  v = va_arg(args, ptrdiff_t); break;
            case L_J:  v = va_arg(args, intmax_t); break;
            default:   v = va_arg(args, int); break;
            }
            /* Negate in unsigned arithmetic so INT64_MIN is fine. */
            emit_int(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false,
                     flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v;

            switch (lm) {
            case L_HH: v = (unsigned char)va_arg(args, unsigned int); break;
            case L_H:  v = (unsigned short)va_arg(args, unsigned int); break;
            case L_L:  v = va_arg(args, unsigned long); break;
            case L_LL: v = va_arg(args, unsigned long long); break;
            case L_Z:  v = va_arg(args, size_t); break;
            case L_T:  v = (size_t)va_arg(args, ptrdiff_t); break;
            case L_J:  v = va_arg(args, uintmax_t); break;
            default:   v = va_arg(args, unsigned int); break;
            }
            /* Sign flags only apply to signed conversions. */
            flags &= ~(F_PLUS | F_SPACE);
            emit_int(&o, v, false, conv == 'u' ? 10 : conv == 'o' ? 8 : 16,
                     conv == 'X', flags, width, prec);
            break;
        }
        case 'p': {
            void *p = va_arg(args, void *);

            if (p)              /* glibc: %p is %#lx */
                emit_int(&o, (uintptr_t)p, false, 16, false, flags | F_ALT, width, prec);
            else
                emit_field(&o, flags & ~F_ZERO, width, "", 0, "(nil)", 5);
            break;
        }
        case 's': {
            const char *s = va_arg(args, const char *);

            if (!s)             /* glibc prints "(null)" unless precision cuts it */
                s = (prec < 0 || prec >= 6) ? "(null)" : "";
            emit_field(&o, flags & ~F_ZERO, width, "", 0, s,
                       prec < 0 ? strlen(s) : strnlen(s, (size_t)prec));
            break;
        }
        case 'c': {
            char c = (char)va_arg(args, int);

            emit_field(&o, flags & ~F_ZERO, width, "", 0, &c, 1);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:                /* unknown conversion: print the spec literally */
            put_str(&o, spec, (size_t)(fmt - spec));
            break;
        }
    }
    va_end(args);

    if (size)
        buf[o.pos < size ? o.pos : size - 1] = 0;
    return (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
