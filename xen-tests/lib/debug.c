/* #DB/#BP recorder shared by the debug-register guests. The handler logs
 * what the CPU reported; the guest prints the log as its record. */
#include "guest.h"

struct db_event db_events[DB_MAX_EVENTS];
volatile unsigned int db_count;
unsigned int db_mode;
unsigned int db_limit = DB_MAX_EVENTS;

static void db_handler(struct trap_frame *f)
{
    unsigned long dr6 = read_dr6(), dr7 = read_dr7();
    unsigned int i = db_count++;

    if (i < DB_MAX_EVENTS) {
        db_events[i].vector = f->vector;
        db_events[i].dr6 = dr6;
        db_events[i].dr7 = dr7;
        db_events[i].ip = f->ip;
        db_events[i].flags = f->flags;
        db_events[i].sp = (unsigned long)f;
    }
    if (db_mode & DB_CLEAR_DR7)
        write_dr7(0);
    if (db_mode & DB_CLEAR_DR6)
        write_dr6(0);
    if (db_mode & DB_STOP_TF)
        f->flags &= ~X86_EFLAGS_TF;
    /* A fault-like instruction breakpoint would hit again on return: RF
     * suppresses it for one instruction. Only set it for those. */
    for (int n = 0; n < 4; n++)
        if ((dr6 & DR6_B(n)) && (dr7 & (DR7_L(n) | DR7_G(n))) &&
            ((dr7 >> (16 + 4 * n)) & 3) == DR_RW_EXEC)
            f->flags |= X86_EFLAGS_RF;
    /* Runaway guard: stop single-stepping and breakpoints. */
    if (db_count >= db_limit) {
        f->flags &= ~X86_EFLAGS_TF;
        write_dr7(0);
    }
}

void db_install(unsigned int mode)
{
    db_mode = mode;
    trap_set_handler(1, db_handler);
    trap_set_handler(3, db_handler);
}

void db_reset(void)
{
    db_count = 0;
    memset(db_events, 0, sizeof(db_events));
}

/* One line per event: `<what> #k: vec=1 dr6=... ip=<sym>+off`. IPs are shown
 * relative to `base` so the record reads without a symbol table. */
void db_print(const char *what, const char *sym, const void *base)
{
    unsigned int n = db_count < DB_MAX_EVENTS ? db_count : DB_MAX_EVENTS;

    printf("%s: %u event(s)\n", what, db_count);
    for (unsigned int i = 0; i < n; i++) {
        const struct db_event *e = &db_events[i];
        long off = (long)(e->ip - (unsigned long)base);
        printf("%s #%u: vec=%lu dr6=%#lx ip=%s%c%#lx\n", what, i, e->vector, e->dr6, sym,
               off < 0 ? '-' : '+', off < 0 ? -off : off);
    }
}
