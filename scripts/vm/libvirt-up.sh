#!/usr/bin/env bash
# Makes this machine ready for the libvirt/QEMU test suites (CI and developers; run as root):
# installs QEMU + libvirt when missing, starts virtlogd and libvirtd as plain daemons (no
# systemd needed), waits until qemu:///system answers, and builds the test guest into
# /var/tmp/snapdeck-guest (scripts/vm/build-guest.sh). Safe to run again: each step skips
# what is already done.
#
# The guests have no NIC, so the libvirt `default` network (dnsmasq, iptables) is never needed;
# if libvirtd fails to autostart it, that is harmless.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST_DIR=${SNAPDECK_GUEST_DIR:-/var/tmp/snapdeck-guest}
PACKAGES="qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients busybox-static"
t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

[ "$(id -u)" = 0 ] || { echo "libvirt-up: run as root" >&2; exit 1; }

# --- packages -----------------------------------------------------------------------------
missing=
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  t=$(date +%s.%N)
  echo "libvirt-up: installing$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
  echo "libvirt-up: packages installed in $(since "$t")"
else
  echo "libvirt-up: packages already installed"
fi

# --- daemons ------------------------------------------------------------------------------
# pgrep -x matches the process name exactly, so only the daemons themselves count.
t=$(date +%s.%N)
mkdir -p /run/libvirt
pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d
for _ in $(seq 1 60); do
  if virsh -c qemu:///system list >/dev/null 2>&1; then break; fi
  sleep 0.5
done
if ! virsh -c qemu:///system list >/dev/null 2>&1; then
  echo "libvirt-up: libvirtd did not answer on qemu:///system within 30 s" >&2
  virsh -c qemu:///system list >&2 || true
  exit 1
fi
echo "libvirt-up: libvirtd answers ($(since "$t"))"
if [ ! -r /dev/kvm ] || ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
  echo "libvirt-up: no usable KVM here; the test guests run under TCG (<domain type='qemu'>)"
fi

# --- the test guest -----------------------------------------------------------------------
t=$(date +%s.%N)
"$HERE/build-guest.sh" "$GUEST_DIR"
echo "libvirt-up: guest images in $GUEST_DIR ($(since "$t"))"
echo "libvirt-up: ready in $(since "$t0")"
