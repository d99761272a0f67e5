#!/usr/bin/env bash
# Fetches the arm64 Linux guest of docs/linux-guests.md ("Linux on arm64") and
# builds its initramfs:
#   build/linux/arm64/Image       Debian bookworm's linux-image-arm64 kernel (an arm64
#                                 Image; decompressed if the .deb's vmlinuz is gzip'd)
#   build/linux/arm64/initrd.gz   busybox-static (arm64) + xen-tests/linux/init-arm64 (cpio newc, gzip)
#   build/linux/arm64/version     the versioned kernel package the metapackage pointed to
# The host is amd64: apt runs with its own state under build/linux/arm64/apt
# (the host's sources, Architecture arm64), so the host's dpkg and package
# lists are untouched; the first run downloads bookworm's arm64 package index
# (~10 MB) and the two .debs. Idempotent. Never commit what this produces.
# Exit status: 0 ready, 2 the packages cannot be fetched here (callers skip), 1 other error.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${LINUX_ARM64_OUT:-${BUILD:-$ROOT/build}/linux/arm64}
META=${LINUX_ARM64_KERNEL_PACKAGE:-linux-image-arm64}
SRC=$ROOT/xen-tests/linux

mkdir -p "$OUT/debs" "$OUT/apt/lists/partial" "$OUT/apt/cache/archives/partial"
: > "$OUT/apt/status"
APT_OPTS=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64
          -o Dir::State="$OUT/apt" -o Dir::State::Lists="$OUT/apt/lists"
          -o Dir::State::status="$OUT/apt/status" -o Dir::Cache="$OUT/apt/cache"
          -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

# The arm64 package index, once (download runs it before its first fetch).
fetch_prepare() {
    ls "$OUT/apt/lists/"*binary-arm64_Packages* >/dev/null 2>&1 && return 0
    say "apt-get update (bookworm arm64 index)"
    apt-get "${APT_OPTS[@]}" update -qq >"$OUT/apt/update.log" 2>&1 ||
        cant "apt-get update for arm64 failed: $(tail -1 "$OUT/apt/update.log")"
}
FETCH_NAME=fetch-linux-arm64
DEB_ARCH=arm64
. "$ROOT/scripts/linux-fetch-lib.sh"

if [ ! -s "$OUT/Image" ] || [ ! -s "$OUT/version" ]; then
    fetch_prepare
    pkg=$(apt-cache "${APT_OPTS[@]}" depends "$META:arm64" 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*$/\1/p' | head -1)
    [ -n "$pkg" ] || cant "apt does not know $META for arm64"
    say "kernel package $pkg"
    extract "$(download "$pkg")" 'boot/vmlinuz-*' "$OUT/vmlinuz"
    # Debian's arm64 vmlinuz is the Image itself (bookworm) or gzip'd (later
    # releases): QEMU's -kernel inflates a gzip'd one, the hypervisor does not.
    if [ "$(head -c 2 "$OUT/vmlinuz" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
        gzip -dc < "$OUT/vmlinuz" > "$OUT/Image.tmp"
        mv "$OUT/Image.tmp" "$OUT/Image"
        rm -f "$OUT/vmlinuz"
    else
        mv "$OUT/vmlinuz" "$OUT/Image"
    fi
    echo "$pkg" > "$OUT/version"
fi

if [ ! -s "$OUT/busybox" ]; then
    extract "$(download busybox-static)" 'bin/busybox' "$OUT/busybox"
    chmod +x "$OUT/busybox"
fi

# The initramfs: busybox with the applets /init uses (the arm64 binary cannot
# list its own here).
initrd_contents() {
    cpio_entry bin/busybox 0100755 "$OUT/busybox"
    cpio_entry init 0100755 "$SRC/init-arm64"
    cpio_busybox_links sh mount cat cut grep head sleep uname date echo poweroff tr awk wc
}
newer_than "$OUT/initrd.gz" "$OUT/busybox" "$SRC/init-arm64" "$0" ||
    write_initrd initrd_contents
say "ready: $OUT/Image ($(cat "$OUT/version")), $OUT/initrd.gz"
