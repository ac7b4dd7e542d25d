#!/bin/bash
# Boots the test images in QEMU the way the emulator's qemu backend is to run instances, and checks
# what the tester relies on: the user-data's output and exit status on the serial console, ssh with the
# metadata key to a host key whose fingerprint the console printed, a guest poweroff ending QEMU, and a
# disk that cannot boot showing so on the console within a bounded time. Prints the timings (README.md).
#
# Each case: a qcow2 overlay over the cached raw image (never modified), a copy of the firmware's
# variables, a metadata service (imds.py) reached through guestfwd, ssh forwarded from a loopback
# address of its own. Everything started here is stopped by its pid when the case ends.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ALL_CASES=(x86_64-hybrid:uefi x86_64-hybrid:legacy-bios x86_64-uefi:uefi aarch64-uefi:uefi
    x86_64-uefi:legacy-bios x86_64-uefi:uefi:corrupt x86_64-hybrid:uefi:corrupt=syslinux/ldlinux.c32
    blank:legacy-bios blank:uefi)

usage() {
    cat <<EOF
usage: $0 [--accel auto|kvm|tcg] [--disk-bus virtio|nvme] [--aarch64-cpu CPU] [--volume-size SIZE]
          [--timings FILE] [--keep] [CASE...]
  CASE: IMAGE:BOOT_MODE[:corrupt[=FILE]], IMAGE from build.sh or "blank" (100 MiB of zeros), BOOT_MODE
        uefi or legacy-bios; ":corrupt" overwrites one 512 KiB (EBS) block inside the kernel, ":corrupt=FILE"
        4 KiB inside that file of the ESP (both in the overlay only)
  default: ${ALL_CASES[*]}
  --volume-size  size of the instance's disk (the overlay), e.g. 1G as EBS rounds up; default the image's
  --timings      append one tab-separated line per booting case: case, accel, and the seconds to firmware,
                 kernel, disk verified, user-data result, ssh banner, fingerprints, and poweroff to exit
  --keep         keep each case's directory (console.log, imds.log, ...)
EOF
}

accel_opt=auto disk_bus=virtio aarch64_cpu=cortex-a57 keep='' volume_size='' timings=''
cases=()
while [ $# -gt 0 ]; do
    case "$1" in
    --accel) accel_opt=$2; shift ;;
    --disk-bus) disk_bus=$2; shift ;;
    --aarch64-cpu) aarch64_cpu=$2; shift ;;
    --volume-size) volume_size=$2; shift ;;
    --timings) timings=$2; shift ;;
    --keep) keep=yes ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) cases+=("$1") ;;
    esac
    shift
done
[ ${#cases[@]} -gt 0 ] || cases=("${ALL_CASES[@]}")

for tool in qemu-system-x86_64 qemu-system-aarch64 qemu-img qemu-io busybox ssh ssh-keygen python3 mcopy; do
    command -v "$tool" >/dev/null || { echo "boot-check.sh: $tool is missing" >&2; exit 1; }
done

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
AAVMF_CODE=/usr/share/AAVMF/AAVMF_CODE.fd
AAVMF_VARS=/usr/share/AAVMF/AAVMF_VARS.fd
NO_BOOT_BOUND=30        # seconds after the firmware's first line with no kernel: nothing to boot
BOOT_BOUND=240          # seconds for a good image to finish cloud-init under TCG

log() { echo "boot-check: $*" >&2; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fedimg-boot-check.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    PIDS=()
}
trap 'cleanup; [ -n "$keep" ] || rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# --- KVM: only if a guest reaches its console within a few seconds ---------------------------------------
# Here /dev/kvm opens but QEMU aborts with -cpu host (MSR 0x10a) and a qemu64 guest never prints a line.
probe_kvm() {
    [ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "no /dev/kvm"; return 1; }
    local kernel=$1 out=$WORK/kvm-probe.log
    timeout -k 2 10 qemu-system-x86_64 -machine q35 -accel kvm -cpu host -m 256 -nodefaults -display none \
        -kernel "$kernel" -append 'console=ttyS0 panic=-1' -serial "file:$out" -no-reboot \
        >"$WORK/kvm-probe.err" 2>&1 || true
    if grep -q 'Linux version' "$out" 2>/dev/null; then
        return 0
    fi
    echo "$(head -c 200 "$WORK/kvm-probe.err" | tr '\n' ' ')(no kernel line within 10 s)"
    return 1
}

# --- one case ------------------------------------------------------------------------------------------
declare -A AT        # first time (s after QEMU started) each console event was seen
SUMMARY=()
FAILED=0

expect() { # CONDITION-TEXT RESULT(0/1)
    if [ "$2" = 0 ]; then
        log "  ok: $1"
    else
        log "  FAILED: $1"
        FAILED=$((FAILED + 1))
    fi
}

run_case() {
    local spec=$1 n=$2
    local image=${spec%%:*} rest=${spec#*:}
    local mode=${rest%%:*} corrupt=''
    case "$rest" in
    "$mode:corrupt") corrupt=vmlinuz:524288 ;;
    "$mode:corrupt="*) corrupt=${rest#"$mode:corrupt="}:4096 ;;
    esac
    local dir=$WORK/case$n
    mkdir -p "$dir"
    local arch disk
    if [ "$image" = blank ]; then
        arch=x86_64
        disk=$dir/blank.raw
        truncate -s 100M "$disk"
    else
        disk=$("$HERE/build.sh" "$image" | awk '{print $2}')
        arch=${image%%-*}
    fi
    local good=yes
    { [ "$image" = blank ] || [ -n "$corrupt" ] || { [ "$image" = x86_64-uefi ] && [ "$mode" = legacy-bios ]; }; } \
        && good=''

    # the instance's disk: a copy-on-write overlay; the raw image stays as it is
    qemu-img create -q -f qcow2 -F raw -b "$disk" "$dir/root.qcow2" $volume_size
    if [ -n "$corrupt" ]; then
        local off
        local file=${corrupt%:*} size=${corrupt##*:}
        off=$(python3 - "$disk" "$file" "$size" <<'EOF'
import subprocess, sys
disk, name, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
content = subprocess.run(["mcopy", "-n", "-i", disk + "@@1M", "::/" + name, "-"],
                         capture_output=True, check=True).stdout
data = open(disk, "rb").read()
at = data.find(content[:4096])
assert at >= 0 and data[at:at + len(content)] == content, "file not contiguous on the disk"
# a size-aligned block wholly inside the file, a third of the way in (512 KiB: one EBS snapshot block)
print(((at + len(content) // 3) // size) * size)
EOF
        )
        qemu-io -f qcow2 -c "write -P 0x5a $off $size" "$dir/root.qcow2" >/dev/null
        log "$spec: overwrote $size bytes at byte $off of the overlay (inside /$file)"
    fi

    # the instance's metadata and user-data in the tester's own wrapper format (UserDataScript)
    local run="run-$n-$RANDOM"
    ssh-keygen -q -t rsa -b 3072 -N '' -C fedimg-tester -f "$dir/key"
    local delim="FEDIMG_TEST_SCRIPT_${run//[^A-Za-z0-9]/_}"
    cat >"$dir/user-data" <<EOF
#!/bin/bash
# fedimg test instance: runs the configured test script once and reports on the console.
f=\$(mktemp -t fedimg-test.XXXXXX) || f=/run/fedimg-test.sh
cat > "\$f" <<'$delim'
#!/bin/bash
echo "test script on \$(uname -srm), booted by \$([ -d /sys/firmware/efi ] && echo UEFI || echo BIOS)"
echo "root device: \$(ls /sys/block | tr '\n' ' ')"
exit 3
$delim
chmod 0700 "\$f"
echo "FEDIMG-TEST-BEGIN $run"
bash "\$f" </dev/null 2>&1
rc=\$?
rm -f "\$f"
echo "FEDIMG-TEST-END $run exit=\$rc"
exit 0
EOF
    python3 "$HERE/imds.py" --port-file "$dir/imds.port" --instance-id "i-0fedc0de00000000$n" \
        --public-key "$dir/key.pub" --user-data "$dir/user-data" --v2-only 2>"$dir/imds.log" &
    PIDS+=($!)
    local i
    for i in $(seq 1 50); do [ -s "$dir/imds.port" ] && break; sleep 0.1; done
    local port
    port=$(cat "$dir/imds.port")
    local addr=127.0.42.$((10 + n))

    # the QEMU command line
    local q=() accel=tcg
    [ "$arch" = x86_64 ] && accel=$X86_ACCEL
    local netdev="user,id=net0,net=169.254.0.0/16,host=169.254.0.2"
    netdev+=",guestfwd=tcp:169.254.169.254:80-cmd:busybox nc 127.0.0.1 $port"
    netdev+=",hostfwd=tcp:$addr:2222-:22"
    if [ "$arch" = x86_64 ]; then
        q=(qemu-system-x86_64 -machine q35,graphics=off -accel "$accel")
        [ "$accel" = kvm ] && q+=(-cpu host)
        if [ "$mode" = uefi ]; then
            cp "$OVMF_VARS" "$dir/vars.fd"
            q+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
                -drive "if=pflash,format=raw,unit=1,file=$dir/vars.fd")
        fi # legacy-bios: QEMU's default firmware, SeaBIOS
    else
        cp "$AAVMF_VARS" "$dir/vars.fd"
        q=(qemu-system-aarch64 -machine virt -cpu "$aarch64_cpu" -accel tcg
            -drive "if=pflash,format=raw,unit=0,readonly=on,file=$AAVMF_CODE"
            -drive "if=pflash,format=raw,unit=1,file=$dir/vars.fd")
    fi
    q+=(-m 512 -smp 1 -nodefaults -display none -no-reboot
        -drive "if=none,id=root,format=qcow2,file=$dir/root.qcow2")
    if [ "$disk_bus" = nvme ]; then
        q+=(-device "nvme,drive=root,serial=vol0fedc0de00000000$n")
    else
        q+=(-device "virtio-blk-pci,drive=root")
    fi
    q+=(-netdev "$netdev" -device "virtio-net-pci,netdev=net0,romfile="
        -device virtio-rng-pci -serial "file:$dir/console.log")
    printf '%q ' "${q[@]}" >"$dir/qemu.cmd"

    log "$spec ($accel, $disk_bus): $(cat "$dir/qemu.cmd")"
    AT=()
    local t0=$EPOCHREALTIME
    "${q[@]}" 2>"$dir/qemu.err" &
    local qpid=$!
    PIDS+=("$qpid")

    # watch the console: every event's first time, until cloud-init finished, a failure, or the bounds
    local -A pattern=(
        [firmware]='BdsDxe|SeaBIOS'
        [kernel]='Linux version'
        [verified]='fedimg-image: disk .* verified'
        [userdata]="FEDIMG-TEST-END $run exit="
        [fingerprints]='-----END SSH HOST KEY FINGERPRINTS-----'
        [finished]="Cloud-init v\\. .* finished at"
        [bootfailed]='fedimg-image: BOOT FAILED'
        [panic]='Kernel panic'
        [nobootdev]='No bootable device'
        [efifail]='BdsDxe: failed to (load|start) Boot'
        [efishell]='UEFI Interactive Shell'
    )
    local key now last_ssh=0 deadline=$BOOT_BOUND
    sweep() { # one pass over the console; a line may land between two greps, so also once after the loop
        for key in "${!pattern[@]}"; do
            [ -z "${AT[$key]:-}" ] || continue
            if grep -a -q -E -e "${pattern[$key]}" "$dir/console.log" 2>/dev/null; then AT[$key]=$(since "$t0"); fi
        done
    }
    local stop='bootfailed panic nobootdev efifail efishell'
    failed_seen() { local k; for k in $stop; do [ -z "${AT[$k]:-}" ] || return 0; done; return 1; }
    while :; do
        sweep
        now=$(since "$t0")
        # ssh is reachable when the guest's server answers with its banner (slirp accepts before that)
        if [ -z "${AT[ssh]:-}" ] && awk -v n="$now" -v l="$last_ssh" 'BEGIN { exit !(n - l >= 0.5) }'; then
            last_ssh=$now
            if [ "$(timeout 2 bash -c "exec 3<>/dev/tcp/$addr/2222 && head -c 4 <&3" 2>/dev/null)" = SSH- ]; then
                AT[ssh]=$(since "$t0")
            fi
        fi
        failed_seen && break
        [ -n "${AT[finished]:-}" ] && [ -n "${AT[ssh]:-}" ] && break
        kill -0 "$qpid" 2>/dev/null || break
        if [ -n "${AT[firmware]:-}" ] && [ -z "${AT[kernel]:-}" ] \
            && awk -v n="$now" -v f="${AT[firmware]}" -v b="$NO_BOOT_BOUND" 'BEGIN { exit !(n - f >= b) }'; then
            AT[nokernel]=$now
            break
        fi
        awk -v n="$now" -v d="$deadline" 'BEGIN { exit !(n >= d) }' && break
        sleep 0.1
    done
    sweep

    local result=''
    if [ -n "$good" ]; then
        expect "kernel boot lines on the console" "$([ -n "${AT[kernel]:-}" ] && echo 0 || echo 1)"
        local line
        line=$(grep -a "FEDIMG-TEST-END $run exit=" "$dir/console.log" | tr -d '\r' || true)
        expect "user-data output and exit status on the console ($line)" \
            "$([ "${line##*exit=}" = 3 ] && grep -a -q 'test script on Linux' "$dir/console.log" && echo 0 || echo 1)"
        # ssh as the tester does it: known_hosts from the console's keys, the key from the metadata
        grep -a ' ec2: ' "$dir/console.log" | tr -d '\r' | sed -n '/BEGIN SSH HOST KEY KEYS/,/END SSH HOST KEY KEYS/p' \
            | grep -E 'ec2: (ssh-|ecdsa-)' | sed 's/.* ec2: //' | awk -v h="[$addr]:2222" '{ print h, $1, $2 }' \
            >"$dir/known_hosts"
        local sshrc=0 t_ssh0=$EPOCHREALTIME
        printf 'echo "over ssh: $(id -un) on $(uname -m)"\nexit 5\n' \
            | timeout 60 ssh -v -i "$dir/key" -p 2222 -o UserKnownHostsFile="$dir/known_hosts" \
                -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=20 \
                "fedora@$addr" 'sudo -n bash -s' >"$dir/ssh.out" 2>"$dir/ssh.err" || sshrc=$?
        local took
        took=$(since "$t_ssh0")
        local served
        served=$(tr -d '\r' <"$dir/ssh.err" | sed -n 's/.*Server host key: [^ ]* \(SHA256:[^ ]*\).*/\1/p' | head -n 1)
        expect "ssh as fedora with the metadata key, 'sudo -n bash -s' exit status 5 (got $sshrc, $(cat "$dir/ssh.out"), ${took} s)" \
            "$([ "$sshrc" = 5 ] && echo 0 || echo 1)"
        expect "ssh host key $served is among the console's fingerprints" \
            "$([ -n "$served" ] && grep -a -F -q "$served " "$dir/console.log" && echo 0 || echo 1)"
        local t_off=$EPOCHREALTIME
        timeout 30 ssh -i "$dir/key" -p 2222 -o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=yes \
            -o BatchMode=yes "fedora@$addr" 'sudo -n poweroff' >/dev/null 2>&1 || true
        for i in $(seq 1 300); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.1; done
        local gone=no
        kill -0 "$qpid" 2>/dev/null || gone=yes
        AT[poweroff]=$(since "$t_off")
        expect "guest poweroff ends QEMU (${AT[poweroff]} s)" "$([ $gone = yes ] && echo 0 || echo 1)"
        [ -z "$timings" ] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$spec" "$accel" "${AT[firmware]:--}" \
            "${AT[kernel]:--}" "${AT[verified]:--}" "${AT[userdata]:--}" "${AT[ssh]:--}" "${AT[fingerprints]:--}" \
            "${AT[poweroff]}" >>"$timings"
        result="firmware ${AT[firmware]:--} | kernel ${AT[kernel]:--} | disk verified ${AT[verified]:--} | user-data result ${AT[userdata]:--} | ssh banner ${AT[ssh]:--} | fingerprints ${AT[fingerprints]:--} | poweroff→exit ${AT[poweroff]}"
    else
        local why=''
        [ -n "${AT[nobootdev]:-}" ] && why="firmware: 'No bootable device' at ${AT[nobootdev]} s"
        [ -n "${AT[efishell]:-}" ] && why="firmware: nothing booted, UEFI shell at ${AT[efishell]} s"
        [ -n "${AT[efifail]:-}" ] && why="firmware: '$(grep -a -m1 -o -E 'BdsDxe: failed to (load|start) Boot[0-9A-F]+ "[^"]*"[^:]*: [A-Za-z ]+' "$dir/console.log")' at ${AT[efifail]} s"
        [ -n "${AT[nokernel]:-}" ] && why="no kernel line ${NO_BOOT_BOUND} s after the firmware's first line (${AT[nokernel]} s)"
        [ -n "${AT[bootfailed]:-}" ] && why="$(grep -a -m1 'BOOT FAILED' "$dir/console.log" | tr -d '\r') at ${AT[bootfailed]} s"
        [ -n "${AT[panic]:-}" ] && why+="${why:+; }$(grep -a -m1 -o 'Kernel panic.*' "$dir/console.log" | tr -d '\r') at ${AT[panic]} s"
        grep -a -q 'Initramfs unpacking failed' "$dir/console.log" \
            && why="$(grep -a -m1 -o 'Initramfs unpacking failed.*' "$dir/console.log" | tr -d '\r'); $why"
        expect "$spec does not boot, and the console shows it: ${why:-nothing recognised}" \
            "$([ -n "$why" ] && [ -z "${AT[userdata]:-}" ] && echo 0 || echo 1)"
        result="does not boot: $why"
    fi
    SUMMARY+=("$spec ($accel) | $result")
    cleanup
    if [ -n "$keep" ]; then log "  kept $dir"; fi
}

# --- main ----------------------------------------------------------------------------------------------
X86_ACCEL=tcg
case "$accel_opt" in
tcg) ;;
kvm) X86_ACCEL=kvm ;;
auto)
    kernel_disk=$("$HERE/build.sh" x86_64-uefi | awk '{print $2}')
    mcopy -n -i "$kernel_disk@@1M" ::/vmlinuz "$WORK/vmlinuz"
    t=$EPOCHREALTIME
    if why=$(probe_kvm "$WORK/vmlinuz"); then X86_ACCEL=kvm; else log "KVM not usable: $why"; fi
    log "x86_64 acceleration: $X86_ACCEL (probe took $(since "$t") s)"
    ;;
*) usage >&2; exit 2 ;;
esac

n=0
for c in "${cases[@]}"; do
    n=$((n + 1))
    run_case "$c" "$n"
done
echo
echo "seconds after QEMU started ($(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '%s\n' "${SUMMARY[@]}"
[ "$FAILED" = 0 ] || { echo "$FAILED expectation(s) failed"; exit 1; }
