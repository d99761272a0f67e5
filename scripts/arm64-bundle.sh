#!/usr/bin/env bash
# arm64-bundle.sh OUT DOMAIN...: write an arm64 boot bundle (docs/arm64.md,
# "Boot bundle"), several domains in the one boot module QEMU virt gives
# (-initrd OUT). DOMAIN is IMAGE[,name=NAME][,mem=MIB][,vcpus=N][,policy=P]
# [,quiet=N][,cmdline=TEXT], cmdline last (it may hold commas). The name defaults to the
# image's file name without .bin. The hypervisor checks every value.
set -euo pipefail

die() { echo "arm64-bundle.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: arm64-bundle.sh OUT IMAGE[,name=N][,mem=MIB][,vcpus=N][,policy=P][,quiet=N][,cmdline=TEXT]..."
out=$1; shift
align=4096

header=$'dbgvisor-arm64-bundle 1\n'
for spec in "$@"; do
    image=${spec%%,*}
    opts=""
    [[ $spec == *,* ]] && opts=${spec#*,}
    [ -f "$image" ] || die "$image: no such image"
    name=$(basename "$image" .bin) rest="" cmdline=""
    while [ -n "$opts" ]; do
        if [[ $opts == cmdline=* ]]; then
            cmdline=${opts#cmdline=}
            break
        fi
        kv=${opts%%,*}
        if [[ $opts == *,* ]]; then opts=${opts#*,}; else opts=""; fi
        case $kv in
            name=*) name=${kv#name=} ;;
            mem=*|vcpus=*|policy=*|quiet=*|paused=*|hostbp=*) rest+=" $kv" ;;
            *) die "$kv: unknown domain option (name, mem, vcpus, policy, quiet, paused, hostbp, cmdline)" ;;
        esac
    done
    [[ $name =~ ^[A-Za-z0-9_.-]{1,31}$ ]] || die "$name: a name is 1-31 of A-Z a-z 0-9 _ . -"
    [[ $cmdline != *$'\n'* ]] || die "cmdline: one line"
    header+="domain name=$name size=$(stat -c %s "$image")$rest"
    [ -n "$cmdline" ] && header+=" cmdline=$cmdline"
    header+=$'\n'
done
header+=$'\n'
[ ${#header} -lt $align ] || die "the header is over $align bytes"

printf '%s' "$header" >"$out"
truncate -s $align "$out"
for spec in "$@"; do
    cat "${spec%%,*}" >>"$out"
    size=$(stat -c %s "$out")
    truncate -s $(( (size + align - 1) / align * align )) "$out"
done
