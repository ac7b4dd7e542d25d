#!/bin/bash
# Builds the fedimg test images: small raw disks that boot Debian's cloud kernel into an initramfs that
# behaves like cloud-init on EC2 (README.md). The disk is made without root: sfdisk, mtools and syslinux's
# mtools installer all work on the image file. Packages come from the host's apt sources with
# `apt-get download` and are unpacked with dpkg-deb; nothing is installed.
#
# Each image is cached in $FEDIMG_CACHE/test-images/<image>-<key> (default ~/.cache/fedimg); the key
# covers this script, the guest files and the exact package versions; apt's answers are kept until its
# package lists change, so a second run asks nobody. Prints "<image> <path of disk.raw>" per image on
# stdout; logs go to stderr.
set -euo pipefail

ALL_IMAGES=(x86_64-hybrid x86_64-uefi aarch64-uefi)

usage() {
    cat <<EOF
usage: $0 [--xz] [IMAGE...]
  IMAGE: ${ALL_IMAGES[*]} (default: all)
    x86_64-hybrid  GPT, EFI system partition with systemd-boot, and syslinux for legacy BIOS
    x86_64-uefi    the same without the BIOS loader (boots under OVMF only)
    aarch64-uefi   systemd-boot for AAVMF
  --xz   also write disk.raw.xz (and its size and SHA-256 in disk.raw.xz.info)
Cache: \${FEDIMG_CACHE:-\$HOME/.cache/fedimg}/test-images
EOF
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${FEDIMG_CACHE:-$HOME/.cache/fedimg}/test-images
DEBS=$CACHE/debs

DISK_MIB=100
ESP_START=2048          # sectors: the ESP starts at 1 MiB, like every partitioning tool aligns it
GPT_SECTORS=34          # protective MBR + GPT header + 128 entries of 128 bytes
EPOCH=1700000000        # every timestamp in the image, so that a rebuild gives the same bytes
export SOURCE_DATE_EPOCH=$EPOCH MTOOLS_SKIP_CHECK=1 LC_ALL=C

# The guest's drivers: virtio (QEMU) and ENA (EC2) network, virtio block (NVMe is built in), the
# virtio RNG so ssh key generation never waits for entropy, and FAT to check the EFI system partition.
MODULES=(virtio_pci virtio_blk virtio_net virtio_rng ena vfat nls_cp437 nls_ascii)

log() { echo "build.sh: $*" >&2; }
die() {
    echo "build.sh: error: $*" >&2
    exit 1
}

want_xz=''
images=()
while [ $# -gt 0 ]; do
    case "$1" in
    --xz) want_xz=yes ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) images+=("$1") ;;
    esac
    shift
done
[ ${#images[@]} -gt 0 ] || images=("${ALL_IMAGES[@]}")

for tool in apt-get apt-cache dpkg-deb sfdisk mformat mcopy readelf modinfo xz sha256sum truncate flock; do
    command -v "$tool" >/dev/null || die "$tool is missing (packages: apt, dpkg, fdisk, mtools, binutils, kmod, xz-utils, coreutils, util-linux)"
done

# --- packages ------------------------------------------------------------------------------------------

# The foreign architecture's package lists must be known to apt; adding it installs nothing.
ensure_arch() {
    local darch=$1
    [ "$darch" = "$(dpkg --print-architecture)" ] && return 0
    apt-cache show "busybox-static:$darch" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ]; then
        log "adding the $darch package lists to apt (dpkg --add-architecture $darch; apt-get update)"
        dpkg --add-architecture "$darch"
        apt-get update -qq >&2
    else
        die "apt knows no $darch packages; run as root: dpkg --add-architecture $darch && apt-get update"
    fi
}

# The packages of one image, as apt specs.
packages() {
    local darch=$1 bios=$2 kernel
    kernel=$(apt-cache depends "linux-image-cloud-$darch:$darch" 2>/dev/null \
        | sed -n 's/^ *Depends: \(linux-image-[0-9][^: ]*\).*/\1/p' | head -n 1)
    [ -n "$kernel" ] || die "apt cannot resolve linux-image-cloud-$darch"
    local p
    for p in "$kernel" busybox-static bash libtinfo6 libc6 dropbear-bin libcrypt1 libtomcrypt1 libtommath1 libgmp10 \
        zlib1g systemd-boot-efi; do
        echo "$p:$darch"
    done
    if [ "$bios" = yes ]; then
        echo "syslinux:$(dpkg --print-architecture)"
        echo "syslinux-common"
    fi
}

# "file sha256" of each package as apt would download it now (nothing is downloaded). In an empty
# directory: apt leaves out what the current directory holds already.
resolve() {
    local empty=$tmp/resolve
    mkdir -p "$empty"
    (cd "$empty" && apt-get download --print-uris "$@") \
        | awk '{ sub(/^SHA256:/, "", $4); print $2, $4 }' | sort
}

# Changes whenever apt's package lists, its architectures or this script change.
apt_stamp() {
    local LISTS
    eval "$(apt-config shell LISTS Dir::State::lists/d)"
    {
        dpkg --print-foreign-architectures
        stat -c '%n %s %Y' "$LISTS"*Packages* "$LISTS"*Release 2>/dev/null || true
        cat "${BASH_SOURCE[0]}"
    } | sha256sum | cut -c1-16
}

# Downloads what the cache lacks; a file whose checksum differs from apt's is fetched again.
download() {
    local file sum missing=()
    while read -r file sum; do
        if [ ! -f "$DEBS/$file" ] || [ "$(sha256sum <"$DEBS/$file" | cut -d' ' -f1)" != "$sum" ]; then
            rm -f "$DEBS/$file"
            missing+=("$file")
        fi
    done <"$1"
    [ ${#missing[@]} -gt 0 ] || return 0
    # two builds at once must not write the same file
    exec 9>"$DEBS/.lock"
    flock 9
    log "downloading ${#missing[@]} packages"
    local sandbox=()
    [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
    # apt-get download takes package names; the cached file names are name_version_arch.deb
    local specs=() f
    for f in "${missing[@]}"; do
        local name=${f%%_*} arch=${f##*_}
        arch=${arch%.deb}
        [ "$arch" = all ] && specs+=("$name") || specs+=("$name:$arch")
    done
    (cd "$DEBS" && apt-get download -q "${sandbox[@]}" "${specs[@]}" >&2)
    while read -r file sum; do
        [ "$(sha256sum <"$DEBS/$file" | cut -d' ' -f1)" = "$sum" ] || die "$file: checksum differs from apt's"
    done <"$1"
    exec 9>&-
}

# --- initramfs -------------------------------------------------------------------------------------------

# A newc cpio archive of a directory, on stdout: owner root, fixed times, plus /dev/console (which the
# kernel opens for init before any devtmpfs exists; writing it here needs no mknod and no root).
cpio_newc() {
    local dir=$1 ino=1
    entry() { # NAME MODE SIZE NLINK RDEVMAJOR RDEVMINOR
        local namesize=$((${#1} + 1))
        printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
            $((ino++)) "$2" 0 0 "$4" "$EPOCH" "$3" 0 0 "$5" "$6" "$namesize" 0
        printf '%s\0' "$1"
        pad $(((4 - (110 + namesize) % 4) % 4))
    }
    pad() { [ "$1" -eq 0 ] || head -c "$1" /dev/zero; }
    local rel path perm size target
    while read -r rel; do
        path=$dir/$rel
        perm=$((8#$(stat -c %a "$path")))
        if [ -L "$path" ]; then
            target=$(readlink "$path")
            entry "$rel" $((8#120000 | 8#777)) ${#target} 1 0 0
            printf '%s' "$target"
            pad $(((4 - ${#target} % 4) % 4))
        elif [ -d "$path" ]; then
            entry "$rel" $((8#40000 | perm)) 0 2 0 0
        elif [ -f "$path" ]; then
            size=$(stat -c %s "$path")
            entry "$rel" $((8#100000 | perm)) "$size" 1 0 0
            cat "$path"
            pad $(((4 - size % 4) % 4))
        else
            die "$rel: not a file, directory or symlink"
        fi
    done < <(cd "$dir" && find . -mindepth 1 | sed 's|^\./||' | sort)
    entry dev/console $((8#20000 | 8#600)) 0 1 5 1
    entry 'TRAILER!!!' 0 0 1 0 0
}

# Copies an ELF file and, recursively, the shared libraries it needs (from the unpacked packages).
copy_elf() {
    local root=$1 stage=$2 rel=$3 triplet=$4
    [ -e "$stage/$rel" ] && return 0
    [ -e "$root/$rel" ] || die "$rel is not in the unpacked packages"
    mkdir -p "$(dirname "$stage/$rel")"
    cp -L "$root/$rel" "$stage/$rel"
    local interp
    interp=$(readelf -l "$root/$rel" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    [ -z "$interp" ] || copy_elf "$root" "$stage" "${interp#/}" "$triplet"
    local lib dir found
    for lib in $(readelf -d "$root/$rel" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        found=''
        for dir in "lib/$triplet" "usr/lib/$triplet"; do
            if [ -e "$root/$dir/$lib" ]; then
                copy_elf "$root" "$stage" "$dir/$lib" "$triplet"
                found=yes
                break
            fi
        done
        [ -n "$found" ] || die "$rel needs $lib, which no listed package provides"
    done
}

# The kernel modules of MODULES and their dependencies, in load order (dependencies first).
copy_modules() {
    local moddir=$1 stage=$2
    local -A path=() seen=()
    local f n
    while read -r f; do
        n=${f##*/}
        n=${n%.ko}
        path[${n//-/_}]=$f
    done < <(find "$moddir/kernel" -name '*.ko')
    mkdir -p "$stage/lib/modules"
    : >"$stage/etc/fedimg/modules"
    add() {
        local name=${1//-/_} dep
        [ -z "${seen[$name]:-}" ] || return 0
        seen[$name]=1
        if [ -z "${path[$name]:-}" ]; then
            sed 's|.*/||; s|\.ko$||; s|-|_|g' "$moddir/modules.builtin" | grep -qx "$name" \
                || die "kernel module $name not found"
            return 0
        fi
        for dep in $(modinfo -F depends "${path[$name]}" | tr ',' ' '); do
            add "$dep"
        done
        cp "${path[$name]}" "$stage/lib/modules/$name.ko"
        echo "$name" >>"$stage/etc/fedimg/modules"
    }
    for n in "${MODULES[@]}"; do add "$n"; done
}

build_initramfs() {
    local root=$1 stage=$2 triplet=$3 kver=$4 out=$5
    mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc/fedimg,dev,proc,sys,run,tmp,mnt,root,home/fedora,var/lib/cloud}
    copy_elf "$root" "$stage" bin/busybox "$triplet"
    copy_elf "$root" "$stage" bin/bash "$triplet"
    copy_elf "$root" "$stage" usr/sbin/dropbear "$triplet"
    copy_elf "$root" "$stage" usr/bin/dropbearkey "$triplet"
    ln -s busybox "$stage/bin/sh"
    install -m 755 "$HERE/guest/init" "$stage/init"
    install -m 755 "$HERE/guest/cloud-init" "$HERE/guest/udhcpc.script" "$stage/etc/fedimg/"
    install -m 644 "$HERE/guest/inittab" "$stage/etc/inittab"
    install -m 755 "$HERE/guest/sudo" "$HERE/guest/systemctl" "$stage/usr/bin/"
    install -m 755 "$HERE/guest/shutdown" "$stage/sbin/"
    # the default user is a uid-0 alias of root: the ssh transport logs in as fedora and runs sudo
    printf 'root:x:0:0:root:/root:/bin/bash\nfedora:x:0:0:Fedora default user:/home/fedora:/bin/bash\n' \
        >"$stage/etc/passwd"
    printf 'root:x:0:\ntty:x:5:\n' >"$stage/etc/group"
    printf '/bin/sh\n/bin/bash\n' >"$stage/etc/shells"
    chmod 700 "$stage/root" "$stage/home/fedora"
    chmod 1777 "$stage/tmp"
    copy_modules "$root/lib/modules/$kver" "$stage"
    echo "$kver" >"$stage/etc/fedimg/kernel"
    find "$stage" -exec touch -h -d "@$EPOCH" {} +
    # xz with CRC32 (the kernel checks it while unpacking): a corrupted initramfs shows in dmesg
    cpio_newc "$stage" | xz --check=crc32 -T1 -6 >"$out"
}

# --- disk ----------------------------------------------------------------------------------------------

# GUIDs fixed per image: the same build gives the same bytes.
guid() { printf '%s' "fedimg-test-image/$1/$2" | sha256sum | sed -E 's/^(.{8})(.{4}).(.{3}).(.{3})(.{12}).*/\1-\2-4\3-8\4-\5/'; }

build_image() {
    local image=$1 work=$2 out=$3
    local darch triplet efi_name sdboot bios cmdline
    case "$image" in
    x86_64-hybrid | x86_64-uefi)
        darch=amd64 triplet=x86_64-linux-gnu efi_name=BOOTX64.EFI sdboot=systemd-bootx64.efi
        cmdline='console=tty0 console=ttyS0,115200n8'
        ;;
    aarch64-uefi)
        # no console=: the firmware's ACPI SPCR table names the serial port (ttyAMA0 on QEMU, ttyS0 on EC2)
        darch=arm64 triplet=aarch64-linux-gnu efi_name=BOOTAA64.EFI sdboot=systemd-bootaa64.efi
        cmdline=''
        ;;
    esac
    [ "$image" = x86_64-hybrid ] && bios=yes || bios=no
    local root=$work/root
    mkdir -p "$root"
    local file sum
    while read -r file sum; do
        dpkg-deb -x "$DEBS/$file" "$root"
    done <"$work/packages"
    local kver
    kver=$(ls "$root/lib/modules")
    [ "$(echo "$kver" | wc -l)" = 1 ] || die "expected one kernel in the packages, found: $kver"

    local disk=$out/disk.raw sectors=$((DISK_MIB * 2048))
    local esp_sectors=$((sectors - ESP_START - GPT_SECTORS))
    truncate -s "${DISK_MIB}M" "$disk"
    sfdisk -q "$disk" <<EOF
label: gpt
label-id: $(guid "$image" disk)
unit: sectors
first-lba: $ESP_START
start=$ESP_START, size=$esp_sectors, type=C12A7328-F81F-11D2-BA4B-00A0C91EC93B, uuid=$(guid "$image" esp), name="fedimg-esp"$([ $bios = yes ] && echo ', attrs="LegacyBIOSBootable"')
EOF
    local esp="$disk@@$((ESP_START * 512))"
    mformat -i "$esp" -F -T "$esp_sectors" -H "$ESP_START" -h 64 -s 32 -v FEDIMG-ESP \
        -N "$(guid "$image" fat | cut -c1-8)" ::
    local files=$work/esp
    mkdir -p "$files/EFI/BOOT" "$files/loader/entries"
    cp "$root/boot/vmlinuz-$kver" "$files/vmlinuz"
    cp "$root/usr/lib/systemd/boot/efi/$sdboot" "$files/EFI/BOOT/$efi_name"
    printf 'default fedimg.conf\ntimeout 0\nconsole-mode keep\n' >"$files/loader/loader.conf"
    printf 'title fedimg test image (%s, Debian %s)\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n' \
        "$image" "$kver" "$cmdline" >"$files/loader/entries/fedimg.conf"
    if [ $bios = yes ]; then
        mkdir -p "$files/syslinux"
        printf 'SERIAL 0 115200\nDEFAULT fedimg\nPROMPT 0\nTIMEOUT 0\nLABEL fedimg\n  LINUX /vmlinuz\n  INITRD /initrd.img\n  APPEND %s\n' \
            "$cmdline" >"$files/syslinux/syslinux.cfg"
    fi
    find "$files" -exec touch -h -d "@$EPOCH" {} +
    mcopy -s -m -i "$esp" "$files"/* ::/
    if [ $bios = yes ]; then
        # syslinux writes the partition's boot sector and ldlinux.sys/.c32; gptmbr.bin in the MBR finds
        # the partition with the legacy-BIOS-bootable attribute
        "$root/usr/bin/syslinux" --install --offset $((ESP_START * 512)) --directory /syslinux "$disk"
        dd if="$root/usr/lib/syslinux/mbr/gptmbr.bin" of="$disk" bs=440 count=1 conv=notrunc status=none
    fi

    # what the guest checks at boot: every file of the ESP (all but the initramfs, which the kernel
    # checks) and both GPTs
    local manifest=$work/esp.sha256 f
    : >"$manifest"
    for f in vmlinuz "EFI/BOOT/$efi_name" loader/loader.conf loader/entries/fedimg.conf \
        $([ $bios = yes ] && echo syslinux/syslinux.cfg syslinux/ldlinux.sys syslinux/ldlinux.c32); do
        echo "$(mcopy -n -i "$esp" "::/$f" - | sha256sum | cut -d' ' -f1)  $f" >>"$manifest"
    done
    local stage=$work/stage
    mkdir -p "$stage/etc/fedimg"
    cp "$manifest" "$stage/etc/fedimg/esp.sha256"
    {
        echo "GPT_SECTORS=$GPT_SECTORS"
        echo "GPT_PRIMARY_SHA256=$(head -c $((GPT_SECTORS * 512)) "$disk" | sha256sum | cut -d' ' -f1)"
        echo "GPT_BACKUP_LBA=$((sectors - GPT_SECTORS + 1))"
        echo "GPT_BACKUP_SHA256=$(tail -c $(((GPT_SECTORS - 1) * 512)) "$disk" | sha256sum | cut -d' ' -f1)"
    } >"$stage/etc/fedimg/disk"
    build_initramfs "$root" "$stage" "$triplet" "$kver" "$work/initrd.img"
    touch -d "@$EPOCH" "$work/initrd.img"
    mcopy -m -i "$esp" "$work/initrd.img" ::/initrd.img

    {
        echo "image=$image"
        echo "kernel=$kver"
        echo "disk_bytes=$((sectors * 512))"
        echo "vmlinuz_bytes=$(stat -c %s "$files/vmlinuz")"
        echo "initrd_bytes=$(stat -c %s "$work/initrd.img")"
        echo "initrd_unpacked_bytes=$(du -sb "$stage" | cut -f1)"
        echo "sha256=$(sha256sum <"$disk" | cut -d' ' -f1)"
        echo "packages:"
        sed 's/^/  /' "$work/packages"
    } >"$out/info"
}

# --- main ----------------------------------------------------------------------------------------------

mkdir -p "$DEBS"
for image in "${images[@]}"; do
    case "$image" in
    x86_64-hybrid | x86_64-uefi) darch=amd64 bios=$([ "$image" = x86_64-hybrid ] && echo yes || echo no) ;;
    aarch64-uefi) darch=arm64 bios=no ;;
    *) usage >&2; die "unknown image $image" ;;
    esac
    if [ "$bios" = yes ] && [ "$(dpkg --print-architecture)" != amd64 ]; then
        die "$image runs syslinux's installer from the amd64 package: build it on an x86_64 host"
    fi
    tmp=$(mktemp -d "$CACHE/tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    # asking apt takes seconds; its answer changes only with its package lists
    resolved=$CACHE/resolved/$image-$(apt_stamp)
    if [ ! -s "$resolved" ]; then
        ensure_arch "$darch"
        mapfile -t specs < <(packages "$darch" "$bios")
        resolve "${specs[@]}" >"$tmp/packages"
        [ "$(wc -l <"$tmp/packages")" = "${#specs[@]}" ] \
            || die "apt resolved $(wc -l <"$tmp/packages") of ${#specs[@]} packages"
        resolved=$CACHE/resolved/$image-$(apt_stamp)
        mkdir -p "$CACHE/resolved"
        cp "$tmp/packages" "$resolved"
    fi
    cp "$resolved" "$tmp/packages"
    key=$({
        echo "$image"
        cat "${BASH_SOURCE[0]}"
        for f in "$HERE"/guest/*; do echo "== ${f##*/}"; cat "$f"; done
        cat "$tmp/packages"
    } | sha256sum | cut -c1-16)
    dir=$CACHE/$image-$key
    if [ ! -f "$dir/disk.raw" ]; then
        log "building $image ($dir)"
        download "$tmp/packages"
        mkdir -p "$tmp/out"
        build_image "$image" "$tmp" "$tmp/out"
        # another build of the same key may have finished meanwhile: the first one stays
        mv -T "$tmp/out" "$dir" 2>/dev/null || [ -f "$dir/disk.raw" ] || die "cannot move the image to $dir"
        log "$image: $(grep -E '^(kernel|initrd_bytes|sha256)=' "$dir/info" | tr '\n' ' ')"
    fi
    if [ -n "$want_xz" ] && [ ! -f "$dir/disk.raw.xz.info" ]; then
        xz -T2 -3 -k -c "$dir/disk.raw" >"$tmp/disk.raw.xz"
        mv "$tmp/disk.raw.xz" "$dir/disk.raw.xz"
        printf 'size=%s\nsha256=%s\n' "$(stat -c %s "$dir/disk.raw.xz")" \
            "$(sha256sum <"$dir/disk.raw.xz" | cut -d' ' -f1)" >"$dir/disk.raw.xz.info"
    fi
    rm -rf "$tmp"
    trap - EXIT
    # keep the three images of this name used last (other checkouts may use other versions of this script)
    touch "$dir"
    ls -1dt "$CACHE/$image"-*/ | tail -n +4 | xargs -r rm -rf
    echo "$image $dir/disk.raw"
done
