#!/usr/bin/env bash
# Fetches the Linux guest of docs/linux-guests.md and builds its initramfs:
#   build/linux/vmlinuz     Debian bookworm's linux-image-cloud-amd64 kernel (bzImage)
#   build/linux/initrd.gz   busybox-static + xen-tests/linux/{init,drtest.c} (cpio newc, gzip)
#   build/linux/drtest      the static in-guest debug-register test program
#   build/linux/version     the versioned kernel package the metapackage pointed to
# Idempotent: the .debs are cached under build/linux/debs and nothing is redone
# unless an input changed. The only network use is `apt-get download` from the
# host's configured Debian mirror; nothing is installed (the kernel never goes
# near the host's /boot). Never commit what this produces.
# Exit status: 0 ready, 2 the packages cannot be fetched here (callers skip), 1 other error.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${LINUX_OUT:-${BUILD:-$ROOT/build}/linux}
META=${LINUX_KERNEL_PACKAGE:-linux-image-cloud-amd64}
SRC=$ROOT/xen-tests/linux
CC=${HOSTCC:-${CC:-gcc}}

say()  { echo "fetch-linux: $*" >&2; }
cant() { say "cannot fetch: $*"; exit 2; }

mkdir -p "$OUT/debs"

# download PACKAGE: the .deb of exactly PACKAGE into the cache, path on stdout.
download() {
    local deb
    deb=$(ls "$OUT/debs/$1"_*.deb 2>/dev/null | head -1 || true)
    if [ -z "$deb" ]; then
        ( cd "$OUT/debs" && apt-get download -q "$1" >/dev/null 2>"$OUT/debs/apt.err" ) ||
            cant "apt-get download $1 failed: $(tail -1 "$OUT/debs/apt.err")"
        deb=$(ls "$OUT/debs/$1"_*.deb 2>/dev/null | head -1 || true)
        [ -n "$deb" ] || cant "apt-get download $1 produced no .deb"
    fi
    echo "$deb"
}

# extract DEB PATH-GLOB DEST: one file out of a .deb.
extract() {
    local tmp f
    tmp=$(mktemp -d "$OUT/x.XXXXXX")
    dpkg-deb -x "$1" "$tmp"
    f=$(ls $tmp/$2 2>/dev/null | head -1 || true)
    [ -n "$f" ] || { rm -rf "$tmp"; say "no $2 in $(basename "$1")"; exit 1; }
    cp "$f" "$3.tmp" && mv "$3.tmp" "$3"
    rm -rf "$tmp"
}

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
    cant "needs Debian's apt-get and dpkg-deb"

# The kernel: the versioned package the metapackage depends on.
if [ ! -s "$OUT/vmlinuz" ] || [ ! -s "$OUT/version" ]; then
    pkg=$(apt-cache depends "$META" 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -1)
    [ -n "$pkg" ] || cant "apt does not know $META (is bookworm in the apt sources, apt-get update done?)"
    say "kernel package $pkg"
    extract "$(download "$pkg")" 'boot/vmlinuz-*' "$OUT/vmlinuz"
    echo "$pkg" > "$OUT/version"
fi

if [ ! -x "$OUT/busybox" ]; then
    extract "$(download busybox-static)" 'bin/busybox' "$OUT/busybox"
    chmod +x "$OUT/busybox"
fi

if [ ! -x "$OUT/drtest" ] || [ "$SRC/drtest.c" -nt "$OUT/drtest" ]; then
    say "building drtest"
    $CC -static -O2 -Wall -Wextra -o "$OUT/drtest.tmp" "$SRC/drtest.c"
    mv "$OUT/drtest.tmp" "$OUT/drtest"
fi

# The initramfs, written as cpio newc by hand so that /dev/console (the
# kernel opens it before /init runs) exists without root or mknod.
up_to_date() {
    [ -s "$OUT/initrd.gz" ] || return 1
    for f in "$OUT/busybox" "$OUT/drtest" "$SRC/init" "$0"; do
        [ "$OUT/initrd.gz" -nt "$f" ] || return 1
    done
}
ino=1
# entry NAME MODE [FILE [RDEV_MAJOR RDEV_MINOR]]: one newc record on stdout.
entry() {
    local name=$1 mode=$2 file=${3:-} size=0 pad
    [ -n "$file" ] && [ -f "$file" ] && size=$(stat -c %s "$file")
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        $ino $((mode)) 0 0 1 0 $size 0 0 ${4:-0} ${5:-0} $((${#name} + 1)) 0
    printf '%s\0' "$name"
    pad=$(( (4 - (110 + ${#name} + 1) % 4) % 4 ))
    head -c $pad /dev/zero
    if [ $size -gt 0 ]; then
        cat "$file"
        head -c $(( (4 - size % 4) % 4 )) /dev/zero
    fi
    ino=$((ino + 1))
}
if ! up_to_date; then
    say "building initrd.gz"
    {
        for d in bin dev proc sys tmp; do entry $d 040755; done
        entry dev/console 020600 "" 5 1
        entry dev/null 020666 "" 1 3
        entry bin/busybox 0100755 "$OUT/busybox"
        entry bin/drtest 0100755 "$OUT/drtest"
        entry init 0100755 "$SRC/init"
        # Applet links, so that /init's plain names resolve.
        printf 'busybox' > "$OUT/link.tmp"
        for a in $("$OUT/busybox" --list); do
            [ "$a" = busybox ] && continue
            entry "bin/$a" 0120777 "$OUT/link.tmp"
        done
        rm -f "$OUT/link.tmp"
        entry TRAILER!!! 0
    } | gzip -9n > "$OUT/initrd.gz.tmp"
    mv "$OUT/initrd.gz.tmp" "$OUT/initrd.gz"
fi
say "ready: $OUT/vmlinuz ($(cat "$OUT/version")), $OUT/initrd.gz"
