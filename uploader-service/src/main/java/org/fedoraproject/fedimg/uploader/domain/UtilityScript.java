package org.fedoraproject.fedimg.uploader.domain;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.events.ImageSpec;

/**
 * The user-data of a utility instance (the original fedimg process): fetch the image with curl, check
 * its size and SHA-256 against the compose metadata, test and decompress the xz, write it to the blank
 * volume, and print one marker line on the console that {@link ConsoleMarker} reads back.
 * <p>
 * No byte of the inputs is ever shell syntax: the URL, checksum and marker reach the script as base64 (whose
 * alphabet has nothing bash interprets inside single quotes) and are decoded into variables that are only used
 * quoted; the URL is passed to curl as {@code --url} so it cannot be an option either. The checksum, size,
 * marker and device name are validated against strict patterns before anything is rendered. curl fetches
 * http(s) only and follows no redirect (the uploader checked the URL against the compose sources; a redirect
 * could lead anywhere from the instance, which holds AWS credentials through its profile).
 */
public final class UtilityScript {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MARKER = Pattern.compile("FEDIMG-UTILITY-[A-Z0-9]{1,16}");
    private static final Pattern DEVICE = Pattern.compile("/dev/(sd|xvd)[b-z]");

    private UtilityScript() {
    }

    /** The marker prefix for one job; unique per image so an old console can never be mistaken for this one. */
    public static String marker(String token) {
        return "FEDIMG-UTILITY-" + token.substring(0, Math.min(16, token.length())).toUpperCase(Locale.ROOT)
                .replaceAll("[^A-Z0-9]", "0");
    }

    public static String render(ImageSpec image, String deviceName, String marker) {
        String sha = image.sha256() == null ? "" : image.sha256().toLowerCase(Locale.ROOT);
        require(SHA256.matcher(sha).matches(), "the sha256 is not 64 hex digits");
        require(image.sizeBytes() > 0, "the size is not positive");
        require(MARKER.matcher(marker).matches(), "the marker is not " + MARKER);
        require(DEVICE.matcher(deviceName).matches(), "the device name is not " + DEVICE);
        require(image.url() != null && image.url().indexOf('\0') < 0, "the URL is missing or holds a NUL byte");
        String dev = deviceName.replace("/dev/sd", "").replace("/dev/xvd", "");
        return """
                #!/bin/bash
                # fedimg utility instance: write one Fedora image to the attached volume.
                # Inputs arrive as base64 and are only ever used quoted: nothing in them is shell syntax.
                set -u -o pipefail
                MARK=$(printf '%%s' '%s' | base64 -d)
                URL=$(printf '%%s' '%s' | base64 -d)
                SHA=$(printf '%%s' '%s' | base64 -d)
                SIZE='%d'
                fail() { printf '%%s FAILED %%s %%s\\n' "$MARK" "$1" "$2"; exit 1; }
                DEV=''
                for i in $(seq 1 60); do
                  for d in '%s' '/dev/xvd%s' '/dev/nvme1n1'; do
                    if [ -e "$d" ]; then DEV="$d"; break 2; fi
                  done
                  sleep 2
                done
                [ -n "$DEV" ] || fail DEVICE_MISSING 'no block device for %s'
                WORK=$(mktemp -d) || fail DOWNLOAD_FAILED "mktemp"
                trap 'rm -rf "$WORK"' EXIT
                CODE=$(curl --proto '=http,https' --max-redirs 0 --globoff --silent --show-error --retry 5 --retry-delay 2 \\
                       --continue-at - --output "$WORK/image.raw.xz" --write-out '%%{http_code}' --url "$URL")
                RC=$?
                [ "$CODE" = "404" ] && fail IMAGE_NOT_FOUND "HTTP 404 for $URL"
                [ $RC -eq 0 ] || fail DOWNLOAD_FAILED "curl exit $RC, HTTP $CODE"
                case "$CODE" in 2*) ;; *) fail DOWNLOAD_FAILED "HTTP $CODE for $URL" ;; esac
                GOT=$(stat -c %%s "$WORK/image.raw.xz")
                [ "$GOT" = "$SIZE" ] || fail SIZE_MISMATCH "downloaded $GOT bytes, expected $SIZE"
                SUM=$(sha256sum "$WORK/image.raw.xz" | cut -d' ' -f1)
                [ "$SUM" = "$SHA" ] || fail CHECKSUM_MISMATCH "sha256 $SUM, expected $SHA"
                if ! XZERR=$(xz -t "$WORK/image.raw.xz" 2>&1); then
                  case "$XZERR" in
                    *"format not recognized"*) fail NOT_XZ "$XZERR" ;;
                    *) fail TRUNCATED_XZ "$XZERR" ;;
                  esac
                fi
                # an xz bomb: the stream may not decompress to more than the volume holds
                DEVSIZE=$(blockdev --getsize64 "$DEV" 2>/dev/null || stat -L -c %%s "$DEV")
                UNPACKED=$(xz --robot --list "$WORK/image.raw.xz" | awk -F'\\t' '$1 == "totals" { print $5 }')
                if [ -n "$UNPACKED" ] && [ -n "$DEVSIZE" ] && [ "$UNPACKED" -gt "$DEVSIZE" ]; then
                  fail IMAGE_TOO_LARGE "the image decompresses to $UNPACKED bytes, the volume holds $DEVSIZE"
                fi
                xz -dc "$WORK/image.raw.xz" | head -c "$DEVSIZE" | dd of="$DEV" bs=4M conv=sparse,notrunc status=none \\
                  || fail WRITE_FAILED "xz -dc | dd to $DEV failed"
                sync
                printf '%%s SUCCESS %%s\\n' "$MARK" "$DEV"
                """.formatted(b64(marker), b64(image.url()), b64(sha), image.sizeBytes(), deviceName, dev,
                deviceName);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("utility-instance script not rendered: " + what);
        }
    }
}
