#!/usr/bin/env bash
# `make install PREFIX=... DESTDIR=...` gives a tree that works on its own:
# the launcher finds its hypervisor image, xl its library, and a program
# written against libxl builds with pkg-config and lists domains.
. "$(dirname "$0")/lib.sh"

make -s -C "$ROOT" install PREFIX=/opt/dbgvisor DESTDIR=$TMP/root > $TMP/install.log 2>&1
check "make install succeeds" [ $? -eq 0 ]
P=$TMP/root/opt/dbgvisor
for f in bin/dbgvisor bin/xl bin/dbgctl-mux boot/dbgvisor.elf lib/libdebugctl.so lib/libxenlight.so \
         include/debugctl.h include/libxl.h lib/pkgconfig/xenlight.pc share/man/man1/xl.1; do
    check "installed: $f" [ -e $P/$f ]
done

"$P/bin/dbgvisor" run --socket $TMP/inst.sock --timeout 60 --domain $P/share/dbgvisor/guests/hello.elf,name=inst > $TMP/run.out 2>&1
check "installed launcher boots a domain" [ $? -eq 0 ]
expect_line $TMP/run.out '^\[inst\] hello from' "installed launcher: domain output"

cat > $TMP/prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <libxl.h>
int main(void)
{
    xentoollog_logger_stdiostream *lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
    libxl_ctx *ctx;
    libxl_dominfo *info;
    int n;
    if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, (xentoollog_logger *)lg)) return 1;
    info = libxl_list_domain(ctx, &n);
    if (!info) return 2;
    for (int i = 0; i < n; i++) {
        char *name = libxl_domid_to_name(ctx, info[i].domid);
        printf("domain %u %s\n", info[i].domid, name ? name : "?");
        free(name);
    }
    libxl_dominfo_list_free(info, n);
    libxl_ctx_free(ctx);
    xtl_logger_destroy((xentoollog_logger *)lg);
    return 0;
}
C
PKG_CONFIG_PATH=$P/lib/pkgconfig cc $TMP/prog.c -o $TMP/prog $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags --libs xenlight) > $TMP/cc.log 2>&1
check_log "a libxl program builds with pkg-config xenlight" $TMP/cc.log [ $? -eq 0 ]

hv_start --domain $G/ticker.elf,name=listed,cmdline="count=0"
check "hypervisor up" wait_for $XL list
$TMP/prog > $TMP/prog.out 2>&1
check "the libxl program runs" [ $? -eq 0 ]
expect_line $TMP/prog.out '^domain 1 listed$' "the libxl program lists the domain by name"
finish
