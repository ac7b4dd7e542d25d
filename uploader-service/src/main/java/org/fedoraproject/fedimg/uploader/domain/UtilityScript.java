package org.fedoraproject.fedimg.uploader.domain;

import java.util.Locale;

import org.fedoraproject.fedimg.events.ImageSpec;

/**
 * The user-data of a utility instance (the original fedimg process): fetch the image with curl, check
 * its size and SHA-256 against the compose metadata, test and decompress the xz, write it to the blank
 * volume, and print one marker line on the console that {@link ConsoleMarker} reads back.
 */
public final class UtilityScript {

    private UtilityScript() {
    }

    /** The marker prefix for one job; unique per image so an old console can never be mistaken for this one. */
    public static String marker(String token) {
        return "FEDIMG-UTILITY-" + token.substring(0, Math.min(16, token.length())).toUpperCase(Locale.ROOT);
    }

    public static String render(ImageSpec image, String deviceName, String marker) {
        String dev = deviceName.replace("/dev/sd", "");
        return """
                #!/bin/bash
                # fedimg utility instance: write one Fedora image to the attached volume.
                set -u -o pipefail
                MARK='%s'
                URL='%s'
                SHA='%s'
                SIZE='%d'
                fail() { echo "$MARK FAILED $1 $2"; exit 1; }
                DEV=''
                for i in $(seq 1 60); do
                  for d in '%s' '/dev/xvd%s' '/dev/nvme1n1'; do
                    if [ -e "$d" ]; then DEV="$d"; break 2; fi
                  done
                  sleep 2
                done
                [ -n "$DEV" ] || fail DEVICE_MISSING "no block device for %s"
                WORK=$(mktemp -d) || fail DOWNLOAD_FAILED "mktemp"
                trap 'rm -rf "$WORK"' EXIT
                CODE=$(curl --location --silent --show-error --retry 5 --retry-delay 2 --continue-at - \\
                       --output "$WORK/image.raw.xz" --write-out '%%{http_code}' "$URL")
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
                xz -dc "$WORK/image.raw.xz" | dd of="$DEV" bs=4M conv=sparse,notrunc status=none \\
                  || fail WRITE_FAILED "xz -dc | dd to $DEV failed"
                sync
                echo "$MARK SUCCESS $DEV"
                """.formatted(marker, image.url().replace("'", "%27"), image.sha256(), image.sizeBytes(),
                deviceName, dev, deviceName);
    }
}
