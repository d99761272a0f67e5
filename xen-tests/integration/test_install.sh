#!/usr/bin/env bash
# `make install` beside a real Xen: installed with PREFIX=/usr into a
# DESTDIR that already holds a Xen 4.17 layout (the paths of Debian's
# libxen-dev and xen-utils and of Xen's own `make install`), it overwrites
# none of Xen's files and creates nothing where Xen's search paths would find
# it first (pkg-config, the linker, man, bash completion). The installed tree
# works on its own: the launcher boots a domain, a libxl program builds with
# `pkg-config dbgvisor` and with the private `xenlight`, runs against dbgvisor's
# library (not Xen's), the symbols carry Xen's versions, the .pc files hold
# no rpath, every manual page renders without warnings, and the examples in
# the manual pages run as written.
. "$(dirname "$0")/lib.sh"

# --- Xen's files, at Xen's paths ---------------------------------------
# What libxen-dev installed on this host (the real list), and the paths of
# xen-utils and of an upstream `make install` (PREFIX=/usr).
XEN_PATHS=$TMP/xen-paths
{
    dpkg -L libxen-dev 2>/dev/null | while read -r f; do
        [[ $f == /usr/* ]] && [ ! -d "$f" ] && echo "${f#/}"
    done
    cat <<'PATHS'
usr/sbin/xl
usr/sbin/xentop
usr/sbin/gdbsx
usr/include/libxl.h
usr/include/libxl_utils.h
usr/include/libxl_event.h
usr/include/xentoollog.h
usr/include/libxlutil.h
usr/lib/libxenlight.so
usr/lib/libxenlight.so.4.17
usr/lib/libxenlight.so.4.17.0
usr/lib/libxenlight.a
usr/lib/libxentoollog.so.1
usr/lib/pkgconfig/xenlight.pc
usr/lib/pkgconfig/xentoollog.pc
usr/lib/pkgconfig/xlutil.pc
usr/lib/x86_64-linux-gnu/libxenlight.so.4.17
usr/lib/x86_64-linux-gnu/pkgconfig/xenlight.pc
usr/share/pkgconfig/xenlight.pc
usr/share/man/man1/xl.1
usr/share/man/man1/xl.1.gz
usr/share/man/man1/xentop.1
usr/share/man/man1/xentop.1.gz
usr/share/man/man5/xl.cfg.5
usr/share/man/man5/xl.cfg.5.gz
usr/share/man/man5/xl.conf.5
usr/share/man/man5/xlcpupool.cfg.5
usr/share/man/man7/xl-numa-placement.7
usr/share/bash-completion/completions/xl
usr/share/bash-completion/completions/xl.sh
usr/lib/xen/bin/xenconsole
PATHS
} | sort -u > $XEN_PATHS
check "Xen's file list has libxen-dev's files" [ $(wc -l < $XEN_PATHS) -gt 60 ]

R=$TMP/root
while read -r f; do
    mkdir -p "$R/$(dirname "$f")"
    [ -e "$R/$f" ] || echo "Xen's own $f" > "$R/$f"
done < $XEN_PATHS
(cd $R && sha256sum $(cat $XEN_PATHS)) > $TMP/xen.sums

make -s -C "$ROOT" install PREFIX=/usr DESTDIR=$R > $TMP/install.log 2>&1
check_log "make install PREFIX=/usr beside Xen succeeds" $TMP/install.log [ $? -eq 0 ]
(cd $R && sha256sum --quiet -c $TMP/xen.sums) > $TMP/sums.out 2>&1
check_log "none of Xen's files is overwritten" $TMP/sums.out [ $? -eq 0 ]

# A clean install must not create any of Xen's paths either: under /usr/local
# they would come first in pkg-config's, the linker's, man's and bash
# completion's search paths and hide Xen's.
make -s -C "$ROOT" install PREFIX=/usr DESTDIR=$TMP/clean > $TMP/install2.log 2>&1
check_log "make install into an empty DESTDIR" $TMP/install2.log [ $? -eq 0 ]
shadow=$(cd $TMP/clean && while read -r f; do [ -e "$f" ] && echo "$f"; done < $XEN_PATHS
         find . \( -name 'libxenlight*' -o -name 'libxl*.h' -o -name xentoollog.h -o -name xenlight.pc \
                   -o -name 'xl.1*' -o -name 'xl.cfg.5*' -o -path '*completions/xl*' \) \
              -not -path './usr/lib/dbgvisor/*' -not -path './usr/include/dbgvisor/*' \
              -not -path './usr/share/dbgvisor/*')
check "no file at a path of Xen's or where Xen's search paths look (${shadow:-none})" [ -z "$shadow" ]

P=$R/usr
for f in bin/dbgvisor bin/xl bin/dbgtop bin/gdbsx bin/dbgctl-mux boot/dbgvisor.elf \
         lib/libdebugctl.so lib/dbgvisor/libxenlight.so.4.17 lib/dbgvisor/libxenlight.a \
         include/debugctl.h include/dbgvisor/libxl.h include/dbgvisor/xentoollog.h \
         lib/pkgconfig/dbgvisor.pc lib/dbgvisor/pkgconfig/xenlight.pc \
         share/man/man1/dbgvisor.1 share/man/man7/dbgvisor-libxl.7 \
         share/dbgvisor/man/man1/xl.1 share/dbgvisor/man/man5/xl.cfg.5 \
         share/dbgvisor/bash-completion/xl; do
    check "installed: $f" [ -e $P/$f ]
done

# --- the library: Xen's symbol versions, no rpath in the .pc files --------
LIB=$P/lib/dbgvisor/libxenlight.so.4.17
objdump -T $LIB > $TMP/dynsym
check "SONAME is Xen's libxenlight.so.4.17" bash -c "objdump -p $LIB | grep -q 'SONAME *libxenlight.so.4.17$'"
expect_line $TMP/dynsym 'VERS_4\.17\.0 +libxl_ctx_alloc$' "libxl_ctx_alloc@VERS_4.17.0 (as Xen's libxenlight)"
expect_line $TMP/dynsym 'VERS_1\.0 +xtl_createlogger_stdiostream$' "xtl_createlogger_stdiostream@VERS_1.0 (as Xen's libxentoollog)"
unversioned=$(awk '$2=="g" && $4==".text" && $(NF-1)!~/^VERS_/ {print $NF}' $TMP/dynsym)
check "every exported function is versioned (${unversioned:-all})" [ -z "$unversioned" ]
# only_xen_symbols: every defined global in the dynamic symbol table is libxl_*, xtl_* or a version node.
only_xen_symbols() { ! awk '$2=="g" && $4!="*UND*" {print $NF}' "$TMP/dynsym" | grep -v -E '^(libxl_|xtl_|VERS_)'; }
check "nothing but libxl_* and xtl_* exported" only_xen_symbols

for pc in $P/lib/pkgconfig/dbgvisor.pc $P/lib/dbgvisor/pkgconfig/xenlight.pc; do
    check "$(basename $pc): no rpath or runpath" bash -c "! grep -i -E 'rpath|runpath|-R' $pc"
    check "$(basename $pc): pkg-config --libs adds no run-time path" \
        bash -c "! PKG_CONFIG_PATH=$(dirname $pc) pkg-config --libs $(basename $pc .pc) | grep -E -- '-rpath|-R|LD_RUN'"
done
PCD="env PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config"
PCX="env PKG_CONFIG_PATH=$P/lib/dbgvisor/pkgconfig pkg-config"
check "pkg-config dbgvisor: the private include directory" bash -c "$PCD --cflags dbgvisor | grep -q -- '-I$P/lib/pkgconfig/../../include/dbgvisor'"
check "pkg-config dbgvisor: the private library directory" bash -c "[ \$(readlink -f \$($PCD --variable=libdir dbgvisor)) = $P/lib/dbgvisor ]"
check "pkg-config xenlight (private path): dbgvisor's" bash -c "[ \$(readlink -f \$($PCX --variable=libdir xenlight)) = $P/lib/dbgvisor ]"
# A host with Xen's .pc files and ours in its search path (only those: this
# host's /usr/local may hold anything) still finds Xen's xenlight.
SYSPC=$TMP/clean/usr/lib/pkgconfig:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig
check "pkg-config xenlight beside dbgvisor's public .pc files: Xen's, not dbgvisor's" \
    bash -c "! PKG_CONFIG_LIBDIR=$SYSPC pkg-config --cflags --libs xenlight 2>&1 | grep -q $TMP/clean"

# --- the installed tree works ---------------------------------------------
"$P/bin/dbgvisor" run --socket $TMP/inst.sock --timeout 60 --domain $P/share/dbgvisor/guests/hello.elf,name=inst > $TMP/run.out 2>&1
check "installed launcher boots a domain" [ $? -eq 0 ]
expect_line $TMP/run.out '^\[inst\] hello from' "installed launcher: domain output"

# The program of dbgvisor-libxl(7)'s EXAMPLES, cut from the page itself.
man -l $P/share/man/man7/dbgvisor-libxl.7 2>/dev/null | col -b |
    sed -n '/^EXAMPLES/,/^SEE ALSO/p' | sed '1d;$d' | sed 's/^       //' > $TMP/prog.c
check "the manual's example program was extracted" grep -q 'libxl_list_domain' $TMP/prog.c
cc $TMP/prog.c -o $TMP/prog $($PCD --cflags --libs dbgvisor) -Wl,-rpath,$($PCD --variable=libdir dbgvisor) > $TMP/cc.log 2>&1
check_log "the example builds with pkg-config dbgvisor" $TMP/cc.log [ $? -eq 0 ]
cc $TMP/prog.c -o $TMP/prog2 $($PCX --cflags --libs xenlight) -Wl,-rpath,$($PCX --variable=libdir xenlight) > $TMP/cc2.log 2>&1
check_log "the example builds with PKG_CONFIG_PATH=.../lib/dbgvisor/pkgconfig pkg-config xenlight" $TMP/cc2.log [ $? -eq 0 ]
loaded=$(ldd $TMP/prog | awk '$1 == "libxenlight.so.4.17" {print $3}')
check "it loads dbgvisor's libxenlight ($loaded), not Xen's" [ "$(readlink -f "$loaded")" = $P/lib/dbgvisor/libxenlight.so.4.17.0 ]

hv_start --domain $G/ticker.elf,name=listed,cmdline="count=0"
check "hypervisor up" wait_for $XL list
$TMP/prog > $TMP/prog.out 2>&1
check "the example program runs" [ $? -eq 0 ]
expect_line $TMP/prog.out '^1 listed$' "the example program lists the domain by name"

# xl.cfg(5)'s first example, as written (the page names /usr/local), with
# the guest path of this install.
man -l $P/share/dbgvisor/man/man5/xl.cfg.5 2>/dev/null | col -b |
    sed -n '/^EXAMPLES/,/^SEE ALSO/p' | sed -n '/# A multiboot/,/^ *$/p' | sed 's/^       //' |
    sed "s|/usr/local/|$P/|" > $TMP/example.cfg
check "the xl.cfg(5) example was extracted" grep -q '^vcpus = 2' $TMP/example.cfg
$P/bin/xl create $TMP/example.cfg > $TMP/example.out 2>&1
check_log "xl create of the xl.cfg(5) example" $TMP/example.out [ $? -eq 0 ]
check "the example's domain has 2 vCPUs and 32 MiB" bash -c "$XL list guest | grep -E -q '^guest +[0-9]+ +32 +2 '"
$XL destroy guest > /dev/null 2>&1

# --- manual pages (the clean install's: all are dbgvisor's) ---------------
C=$TMP/clean/usr
for page in $(cd $C && find share/man share/dbgvisor/man -type f | sort); do
    groff -ww -man -z $C/$page > $TMP/groff.out 2>&1
    check_log "$page: groff -ww without warnings" $TMP/groff.out [ ! -s $TMP/groff.out ]
    check "$page: man -l renders it" bash -c "MANWIDTH=80 man -l $C/$page 2>/dev/null | grep -q NAME"
done
# xl(1) describes every debug-* command xl has.
for c in $($XL help | awk '$1 ~ /^debug-/ {print $1}'); do
    check "xl(1) describes $c" bash -c "man -l $P/share/dbgvisor/man/man1/xl.1 2>/dev/null | col -b | grep -q -- '$c'"
done
finish
