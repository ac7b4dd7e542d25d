#!/bin/bash
# fedimg test script: runs as root on every freshly booted AMI (fedimg.tester.script-path).
# Exit 0 means the AMI passed; anything else fails it and keeps it private.
# With the user-data transport it runs inside cloud-init's final stage, so it must not wait for
# cloud-init or for the boot to "finish" (that would wait for itself).
set -uo pipefail

failures=0
check() {
    local what=$1
    shift
    if "$@" >/tmp/fedimg-check.out 2>&1; then
        echo "ok   - $what"
    else
        echo "FAIL - $what"
        sed 's/^/       /' /tmp/fedimg-check.out | tail -n 20
        failures=$((failures + 1))
    fi
}

. /etc/os-release
echo "# $PRETTY_NAME, kernel $(uname -r), $(uname -m)"

check "this is Fedora" test "$ID" = fedora
check "root filesystem is writable" touch /var/tmp/fedimg-test
check "SELinux is enforcing" sh -c '[ "$(getenforce)" = Enforcing ]'
check "no failed systemd units" sh -c '[ -z "$(systemctl list-units --failed --plain --no-legend)" ]'
check "sshd is enabled" systemctl is-enabled sshd.service
check "chronyd is enabled" systemctl is-enabled chronyd.service

imds=http://169.254.169.254/latest
check "IMDSv2 answers with a session token" sh -c "t=\$(curl -sf -m 5 -X PUT $imds/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 120') && curl -sf -m 5 -H \"X-aws-ec2-metadata-token: \$t\" $imds/meta-data/instance-id"
# The AMIs are registered with ImdsSupport v2.0: a token-less request must be refused.
check "IMDSv1 is refused" sh -c "! curl -sf -m 5 -o /dev/null $imds/meta-data/instance-id"
# The test instance types (t3, t4g) are Nitro: the network must come up on the ENA driver.
check "the network runs on ENA" sh -c 'for d in /sys/class/net/*/device/driver; do [ "$(basename "$(readlink -f "$d")")" = ena ] && exit 0; done; exit 1'
check "DNS resolves" getent hosts fedoraproject.org

if [ "$failures" -gt 0 ]; then
    echo "# $failures check(s) failed"
    exit 1
fi
echo "# all checks passed"
