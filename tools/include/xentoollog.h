/*
 * dbgvisor's minimal xentoollog: the logger interface that libxl users
 * hand to libxl_ctx_alloc(). Source-compatible with Xen 4.17's API for the
 * parts below (written from the API documentation, not Xen's header).
 */
#ifndef XENTOOLLOG_H
#define XENTOOLLOG_H

#include <stdarg.h>
#include <stdio.h>

typedef enum xentoollog_level {
    XTL_NONE,
    XTL_DEBUG,
    XTL_VERBOSE,
    XTL_DETAIL,
    XTL_PROGRESS,
    XTL_INFO,
    XTL_NOTICE,
    XTL_WARN,
    XTL_ERROR,
    XTL_CRITICAL,
    XTL_NUM_LEVELS
} xentoollog_level;

typedef struct xentoollog_logger xentoollog_logger;
struct xentoollog_logger {
    void (*vmessage)(struct xentoollog_logger *logger, xentoollog_level level,
                     int errnoval, const char *context, const char *format,
                     va_list al) __attribute__((format(printf, 5, 0)));
    void (*progress)(struct xentoollog_logger *logger, const char *context,
                     const char *doing_what, int percent, unsigned long done,
                     unsigned long total);
    void (*destroy)(struct xentoollog_logger *logger);
};

#define XTL_STDIOSTREAM_SHOW_PID         001u
#define XTL_STDIOSTREAM_SHOW_DATE        002u
#define XTL_STDIOSTREAM_HIDE_PROGRESS    004u
#define XTL_STDIOSTREAM_PROGRESS_USE_CR  010u
#define XTL_STDIOSTREAM_PROGRESS_NO_CR   020u

typedef struct xentoollog_logger_stdiostream xentoollog_logger_stdiostream;

/* Messages at min_level or above go to f (not closed by destroy). */
xentoollog_logger_stdiostream *xtl_createlogger_stdiostream(FILE *f,
        xentoollog_level min_level, unsigned flags);
void xtl_stdiostream_set_minlevel(xentoollog_logger_stdiostream *lg,
                                  xentoollog_level min_level);
void xtl_stdiostream_adjust_flags(xentoollog_logger_stdiostream *lg,
                                  unsigned set_flags, unsigned clear_flags);
void xtl_logger_destroy(struct xentoollog_logger *logger);
void xtl_logv(struct xentoollog_logger *logger, xentoollog_level level,
              int errnoval, const char *context, const char *format,
              va_list al) __attribute__((format(printf, 5, 0)));
void xtl_log(struct xentoollog_logger *logger, xentoollog_level level,
             int errnoval, const char *context, const char *format, ...)
    __attribute__((format(printf, 5, 6)));
void xtl_progress(struct xentoollog_logger *logger, const char *context,
                  const char *doing_what, unsigned long done,
                  unsigned long total);
const char *xtl_level_to_string(xentoollog_level level);

#endif
