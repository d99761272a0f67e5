#!/usr/bin/env bash
# arm64-bundle.sh OUT DOMAIN...: write an arm64 boot bundle (docs/arm64.md,
# "Boot bundle"), several domains in the one boot module QEMU virt gives
# (-initrd OUT). DOMAIN is IMAGE[,name=NAME][,mem=MIB][,vcpus=N][,policy=P]
# [,quiet=N][,paused=1][,hostbp=ADDR][,ramdisk=FILE][,cmdline=TEXT], cmdline last
# (it may hold commas). The name defaults to the image's file name without
# .bin. The hypervisor checks every value.
set -euo pipefail

die() { echo "arm64-bundle.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: arm64-bundle.sh OUT IMAGE[,name=N][,mem=MIB][,vcpus=N][,policy=P][,quiet=N][,paused=1][,hostbp=ADDR][,ramdisk=FILE][,cmdline=TEXT]..."
out=$1; shift
align=4096

header=$'dbgvisor-arm64-bundle 1\n'
files=()        # what follows the header, in order: each Image, then its ramdisk
for spec in "$@"; do
    image=${spec%%,*}
    opts=""
    [[ $spec == *,* ]] && opts=${spec#*,}
    [ -f "$image" ] || die "$image: no such image"
    name=$(basename "$image" .bin) rest="" cmdline="" ramdisk=""
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
            ramdisk=*) ramdisk=${kv#ramdisk=}; [ -f "$ramdisk" ] || die "$ramdisk: no such ramdisk" ;;
            *) die "$kv: unknown domain option (name, mem, vcpus, policy, quiet, paused, hostbp, ramdisk, cmdline)" ;;
        esac
    done
    [[ $name =~ ^[A-Za-z0-9_.-]{1,31}$ ]] || die "$name: a name is 1-31 of A-Z a-z 0-9 _ . -"
    [[ $cmdline != *$'\n'* ]] || die "cmdline: one line"
    header+="domain name=$name size=$(stat -c %s "$image")$rest"
    files+=("$image")
    if [ -n "$ramdisk" ]; then
        header+=" ramdisk=$(stat -c %s "$ramdisk")"
        files+=("$ramdisk")
    fi
    [ -n "$cmdline" ] && header+=" cmdline=$cmdline"
    header+=$'\n'
done
header+=$'\n'
[ ${#header} -lt $align ] || die "the header is over $align bytes"

printf '%s' "$header" >"$out"
truncate -s $align "$out"
for f in "${files[@]}"; do
    cat "$f" >>"$out"
    size=$(stat -c %s "$out")
    truncate -s $(( (size + align - 1) / align * align )) "$out"
done
