#!/bin/bash
# fedimg's local-mode AMI test. On a real instance the tester runs the configured script (see
# tester-service/README.md) under cloud-init; in local mode the AWS emulator boots the instance in QEMU (the
# qemu backend: the test image's busybox guest) or runs it in a sandbox (bash backend), so it checks what both
# can: that it runs, has a shell environment and can write.
set -eu
echo "kernel: $(uname -sr)"
test -w "${TMPDIR:-/tmp}"
echo "fedimg local test: ok"
