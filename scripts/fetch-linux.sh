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

FETCH_NAME=fetch-linux
mkdir -p "$OUT/debs"
. "$ROOT/scripts/linux-fetch-lib.sh"

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

# The initramfs, written as cpio newc by hand (linux-fetch-lib.sh).
initrd_contents() {
    cpio_entry bin/busybox 0100755 "$OUT/busybox"
    cpio_entry bin/drtest 0100755 "$OUT/drtest"
    cpio_entry init 0100755 "$SRC/init"
    cpio_busybox_links $("$OUT/busybox" --list)     # /init's plain names resolve
}
newer_than "$OUT/initrd.gz" "$OUT/busybox" "$OUT/drtest" "$SRC/init" "$0" ||
    write_initrd initrd_contents
say "ready: $OUT/vmlinuz ($(cat "$OUT/version")), $OUT/initrd.gz"
