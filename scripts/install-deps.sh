#!/usr/bin/env bash
# Installs the Debian 12 packages dbgvisor needs to build, run and test.
# As root it installs them; otherwise it prints the exact commands to run.
# QEMU must come from bookworm-backports: Debian 12's own 7.2 mis-emulates
# SVM debug state (see docs/architecture.md).
set -euo pipefail

PACKAGES=(gcc make binutils pkg-config libc6-dev
          libyajl-dev libcunit1-dev libncurses-dev
          libxen-dev tmux gdb python3 socat acpica-tools
          clang libclang-rt-14-dev llvm    # libFuzzer, ASan/UBSan runtimes, llvm-symbolizer
          gcc-aarch64-linux-gnu gdb-multiarch)   # arm64 hypervisor and guests (docs/arm64.md)
PACKAGES+=(groff-base man-db bsdextrautils)   # test_install: manual pages (groff -ww, man -l, col)
BACKPORTS_PACKAGES=(qemu-system-x86 qemu-system-arm)
MIN_QEMU_MAJOR=10
BACKPORTS_LIST=/etc/apt/sources.list.d/dbgvisor-bookworm-backports.list

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

qemu_ok() {
    local q v
    for q in qemu-system-x86_64 qemu-system-aarch64; do
        command -v $q >/dev/null 2>&1 || return 1
        v=$($q --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -1)
        [ -n "$v" ] && [ "$v" -ge "$MIN_QEMU_MAJOR" ] || return 1
    done
}

need_qemu=0
qemu_ok || need_qemu=1

if [ ${#missing[@]} -eq 0 ] && [ $need_qemu -eq 0 ]; then
    exit 0
fi

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mirror=$(grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
         | head -1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
backports_line="deb ${mirror%/} ${codename}-backports main"

if [ "$(id -u)" -ne 0 ]; then
    echo "dbgvisor: missing packages: ${missing[*]} ${BACKPORTS_PACKAGES[*]:+$( [ $need_qemu -eq 1 ] && echo "${BACKPORTS_PACKAGES[*]} (from ${codename}-backports)")}" >&2
    echo "Run as root:" >&2
    [ $need_qemu -eq 1 ] && echo "  echo '$backports_line' > $BACKPORTS_LIST" >&2
    echo "  apt-get update" >&2
    [ ${#missing[@]} -gt 0 ] && echo "  apt-get install -y ${missing[*]}" >&2
    [ $need_qemu -eq 1 ] && echo "  apt-get install -y -t ${codename}-backports ${BACKPORTS_PACKAGES[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ $need_qemu -eq 1 ] && ! grep -rqs "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "$backports_line" > "$BACKPORTS_LIST"
fi
echo "dbgvisor: installing ${missing[*]} $( [ $need_qemu -eq 1 ] && echo "${BACKPORTS_PACKAGES[*]}")" >&2
apt-get update -qq
[ ${#missing[@]} -gt 0 ] && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ $need_qemu -eq 1 ]; then
    apt-get install -y -qq --no-install-recommends -t "${codename}-backports" "${BACKPORTS_PACKAGES[@]}" >/dev/null
fi
qemu_ok || { echo "dbgvisor: QEMU >= $MIN_QEMU_MAJOR not available after install" >&2; exit 1; }
