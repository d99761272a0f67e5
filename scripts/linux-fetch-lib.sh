# Shared by scripts/fetch-linux.sh and scripts/fetch-linux-arm64.sh (sourced):
# Debian packages fetched with apt-get download into a cache, single files
# unpacked out of them, and cpio newc records for an initramfs written by hand
# (so /dev/console exists without root or mknod).
# The caller sets OUT (the output directory, with debs/ under it), FETCH_NAME
# (the prefix of messages), and may set APT_OPTS (an array of apt -o options),
# DEB_ARCH (a foreign architecture: PACKAGE:DEB_ARCH) and define fetch_prepare
# (run once before the first download, e.g. to fetch a package index).
APT_OPTS=(${APT_OPTS[@]+"${APT_OPTS[@]}"})

say()  { echo "$FETCH_NAME: $*" >&2; }
cant() { say "cannot fetch: $*"; exit 2; }

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
    cant "needs Debian's apt-get and dpkg-deb"

# download PACKAGE: the .deb of exactly PACKAGE into the cache, path on stdout.
download() {
    local deb pkg=$1${DEB_ARCH:+:$DEB_ARCH}
    deb=$(ls "$OUT/debs/$1"_*.deb 2>/dev/null | head -1 || true)
    if [ -z "$deb" ]; then
        if declare -F fetch_prepare >/dev/null; then fetch_prepare; fi
        ( cd "$OUT/debs" && apt-get ${APT_OPTS[@]+"${APT_OPTS[@]}"} download -q "$pkg" \
              >/dev/null 2>"$OUT/debs/apt.err" ) ||
            cant "apt-get download $pkg failed: $(tail -1 "$OUT/debs/apt.err")"
        deb=$(ls "$OUT/debs/$1"_*.deb 2>/dev/null | head -1 || true)
        [ -n "$deb" ] || cant "apt-get download $pkg produced no .deb"
    fi
    echo "$deb"
}

# extract DEB PATH-GLOB DEST: one file out of a .deb (only that file is
# unpacked: a kernel package's modules are most of it).
extract() {
    local tmp f
    tmp=$(mktemp -d "$OUT/x.XXXXXX")
    dpkg-deb --fsys-tarfile "$1" | tar -x -C "$tmp" --wildcards "./$2" 2>/dev/null || true
    f=$(ls $tmp/$2 2>/dev/null | head -1 || true)
    [ -n "$f" ] || { rm -rf "$tmp"; say "no $2 in $(basename "$1")"; exit 1; }
    cp "$f" "$3.tmp" && mv "$3.tmp" "$3"
    rm -rf "$tmp"
}

# cpio_entry NAME MODE [FILE [RDEV_MAJOR RDEV_MINOR]]: one newc record on stdout.
cpio_ino=1
cpio_entry() {
    local name=$1 mode=$2 file=${3:-} size=0 pad
    [ -n "$file" ] && [ -f "$file" ] && size=$(stat -c %s "$file")
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        $cpio_ino $((mode)) 0 0 1 0 $size 0 0 ${4:-0} ${5:-0} $((${#name} + 1)) 0
    printf '%s\0' "$name"
    pad=$(( (4 - (110 + ${#name} + 1) % 4) % 4 ))
    head -c $pad /dev/zero
    if [ $size -gt 0 ]; then
        cat "$file"
        head -c $(( (4 - size % 4) % 4 )) /dev/zero
    fi
    cpio_ino=$((cpio_ino + 1))
}

# cpio_skeleton: the directories and device nodes each initramfs starts with
# (the kernel opens /dev/console before /init runs).
cpio_skeleton() {
    local d
    for d in bin dev proc sys tmp; do cpio_entry $d 040755; done
    cpio_entry dev/console 020600 "" 5 1
    cpio_entry dev/null 020666 "" 1 3
}

# newer_than TARGET FILE...: TARGET exists and is newer than each FILE and
# than this library.
newer_than() {
    local target=$1 f
    shift
    [ -s "$target" ] || return 1
    for f in "$@" "${BASH_SOURCE[0]}"; do
        [ "$target" -nt "$f" ] || return 1
    done
}

# cpio_busybox_links APPLET...: /bin/APPLET -> busybox for each (but busybox).
cpio_busybox_links() {
    local a
    printf 'busybox' > "$OUT/link.tmp"
    for a in "$@"; do
        [ "$a" = busybox ] || cpio_entry "bin/$a" 0120777 "$OUT/link.tmp"
    done
    rm -f "$OUT/link.tmp"
}

# write_initrd CONTENTS: $OUT/initrd.gz from the skeleton, what the function
# CONTENTS writes, and the trailer (gzip; replaced only when complete).
write_initrd() {
    say "building initrd.gz"
    { cpio_skeleton; "$1"; cpio_entry TRAILER!!! 0; } | gzip -9n > "$OUT/initrd.gz.tmp"
    mv "$OUT/initrd.gz.tmp" "$OUT/initrd.gz"
}
