#!/usr/bin/env bash
# Builds the tiny libvirt test guest (kernel + initramfs, no root filesystem) into OUTDIR:
#   OUTDIR/vmlinuz           the Debian kernel that linux-image-amd64 points at
#   OUTDIR/initrd-plain.img  busybox + kernel modules + /init (the counter writer)
#   OUTDIR/initrd-agent.img  the same plus qemu-ga and the libraries it links
# Everything comes from Debian packages fetched with `apt-get download` and unpacked with
# `dpkg-deb -x` into a scratch directory: nothing is installed on the host.
#
# Idempotent: when OUTDIR holds all three files and the stamp of this script's content, it
# exits at once; otherwise it builds into a sibling temp dir and renames it into place, under
# a lock, so concurrent callers (two vitest workers) build once and never see half a build.
# Editing this script (e.g. /init below) changes the stamp, so the next call rebuilds.
#
# The guest's /init writes, on /dev/vda (>= 256 MiB):
#   sector A at 1 MiB and sector B at 201 MiB: "SNAPDECK-COUNTER <n>\n" zero-padded to 512 B;
#   a 64 KiB block for n at 16 MiB + (n mod 32) * 64 KiB ("SNAPDECK-BLOCK <n>" lines).
# Each iteration writes A, fsync, B, fsync, block, fsync, so in any point-in-time copy of the
# disk A = B or A = B + 1. With the agent, qemu-ga's fsfreeze hook first parks the writer
# between iterations, so a disk copied while frozen has A = B exactly.
set -euo pipefail

OUTDIR=${1:?usage: build-guest.sh OUTDIR}
OUTDIR=$(realpath -m "$OUTDIR")
STAMP=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)

complete() {
  [ -s "$OUTDIR/vmlinuz" ] && [ -s "$OUTDIR/initrd-plain.img" ] && [ -s "$OUTDIR/initrd-agent.img" ] &&
    [ "$(cat "$OUTDIR/stamp" 2>/dev/null)" = "$STAMP" ]
}
complete && exit 0

mkdir -p "$(dirname "$OUTDIR")"
exec 9>"$OUTDIR.lock"
flock 9
complete && exit 0 # another caller built it while we waited for the lock

started=$(date +%s.%N)
WORK=$(mktemp -d "$OUTDIR.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/debs" "$WORK/root" "$WORK/out"

# --- fetch and unpack ---------------------------------------------------------------------
# Virtio disk, virtio-serial (the agent channel), the ACPI power button (evdev + button, read
# by acpid) and brd + ext4 (which needs crc32c) for /data: guest-fsfreeze needs a freezable
# filesystem, and tmpfs is not one. Listed in insmod order.
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk virtio_console
  evdev button brd crc16 crc32c_generic mbcache jbd2 ext4"
# `Depends:` of one package in an `apt-cache depends` listing (virtual <names> left out).
depends_of() { awk -v p="$1" '$0 == p { s = 1; next } /^[^ ]/ { s = 0 } s && $1 == "Depends:" && $2 !~ /^</ { print $2 }'; }
LISTING=$(apt-cache depends linux-image-amd64 qemu-guest-agent 2>/dev/null || true)
if ! grep -q '^qemu-guest-agent$' <<<"$LISTING"; then # empty package lists (fresh container)
  apt-get update -qq
  LISTING=$(apt-cache depends linux-image-amd64 qemu-guest-agent)
fi
KPKG=$(depends_of linux-image-amd64 <<<"$LISTING" | grep '^linux-image-' | head -1)
[ -n "$KPKG" ] || { echo "build-guest: cannot resolve the kernel package of linux-image-amd64" >&2; exit 1; }
# qemu-ga's libraries: its Depends and theirs (one level covers glib -> pcre2); only the files
# the dynamic loader actually resolves end up in the initramfs.
AGENT_DEPS=$(depends_of qemu-guest-agent <<<"$LISTING")
# shellcheck disable=SC2086
LIB_DEPS=$(apt-cache depends $AGENT_DEPS | awk '$1 == "Depends:" && $2 !~ /^</ { print $2 }')
PKGS=$(printf '%s\n' "$KPKG" busybox-static qemu-guest-agent $AGENT_DEPS $LIB_DEPS | sort -u)
# Sandbox::User=root: the temp dir is 0700, which the _apt user could not write to.
# shellcheck disable=SC2086
(cd "$WORK/debs" && apt-get download -qq -o APT::Sandbox::User=root $PKGS)
R=$WORK/root
KO_PATTERNS=()
for m in $MODULES; do KO_PATTERNS+=("*/$m.ko*"); done
for deb in "$WORK"/debs/*.deb; do
  case $deb in
    */"$KPKG"_*) # from the kernel only vmlinuz and our modules: a full unpack is ~400 MB
      dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$R" --wildcards './boot/vmlinuz-*' "${KO_PATTERNS[@]}" ;;
    *) dpkg-deb -x "$deb" "$R" ;;
  esac
done
KVER=$(basename "$(ls -d "$R"/lib/modules/*/ | head -1)")
fetched=$(date +%s.%N)

# --- the initramfs tree -------------------------------------------------------------------
S=$WORK/stage
mkdir -p "$S"/{bin,sbin,usr/bin,usr/sbin,lib/modules,proc,sys,dev,run,tmp,data,var/log,etc/acpi/PWRF,etc/qemu}
ln -s ../run "$S/var/run"
cp "$R/bin/busybox" "$S/bin/busybox"
for applet in $("$R/bin/busybox" --list-full); do
  [ -e "$S/$applet" ] || ln -s /bin/busybox "$S/$applet"
done

for m in $MODULES; do
  f=$(find "$R/lib/modules/$KVER" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
  [ -n "$f" ] || { echo "build-guest: module $m not found in $KPKG" >&2; exit 1; }
  case $f in
    *.xz) xz -dc "$f" >"$S/lib/modules/$m.ko" ;;
    *) cp "$f" "$S/lib/modules/$m.ko" ;;
  esac
done
echo $MODULES >"$S/lib/modules/order"

cat >"$S/init" <<'INIT'
#!/bin/sh
# PID 1 of the Snapdeck test guest (scripts/vm/build-guest.sh). Output goes to ttyS0, which
# libvirt writes to the console log that tests/helpers/guest.ts reads.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
for m in $(cat /lib/modules/order); do
  case $m in
    brd) insmod /lib/modules/brd.ko rd_nr=1 rd_size=8192 ;; # one 8 MiB /dev/ram0
    *) insmod /lib/modules/$m.ko ;;
  esac || echo "guest: insmod $m failed"
done

# /data: a small ext2 on a RAM disk, mounted so the agent's fsfreeze has something to freeze.
mke2fs /dev/ram0 >/dev/null && mount -t ext2 /dev/ram0 /data || echo "guest: /data not mounted"

acpid -c /etc/acpi -l /var/log/acpid.log

i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
[ -b /dev/vda ] || echo "guest: no /dev/vda"

# Agent variant only: qemu-ga on the virtio-serial port named org.qemu.guest_agent.0.
if [ -x /usr/sbin/qemu-ga ]; then
  port=
  i=0
  while [ -z "$port" ] && [ $i -lt 100 ]; do
    for f in /sys/class/virtio-ports/*/name; do
      [ -f "$f" ] && [ "$(cat "$f")" = org.qemu.guest_agent.0 ] && port=${f%/name} && port=${port##*/}
    done
    [ -n "$port" ] || usleep 100000
    i=$((i + 1))
  done
  if [ -n "$port" ]; then
    mkdir -p /dev/virtio-ports
    ln -sf "/dev/$port" /dev/virtio-ports/org.qemu.guest_agent.0
    qemu-ga -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 -t /run \
      --fsfreeze-hook=/etc/qemu/fsfreeze-hook &
    echo "qemu-ga started on /dev/$port"
  else
    echo "guest: no virtio port org.qemu.guest_agent.0"
  fi
fi

A=2048        # sector of counter A: 1 MiB
B=411648      # sector of counter B: 1 MiB + 200 MiB
BLOCKS=256    # 64 KiB block index of the rolling region: 16 MiB

n=$(dd if=/dev/vda bs=512 skip=$A count=1 2>/dev/null | tr -d '\000' | sed -n 's/^SNAPDECK-COUNTER \([0-9][0-9]*\)$/\1/p')
n=${n:-0}
echo "counter-start $n"

put() { # put SECTOR N
  printf 'SNAPDECK-COUNTER %d\n' "$2" | dd of=/dev/vda bs=512 seek="$1" count=1 conv=sync,notrunc,fsync 2>/dev/null
}

# The writer parks between iterations while /run/pause exists (the fsfreeze hook and the
# power button ask for it), acknowledging with /run/paused.
writer() {
  while :; do
    if [ -e /run/pause ]; then
      echo "$n" >/run/paused
      while [ -e /run/pause ]; do usleep 20000; done
      rm -f /run/paused
    fi
    n=$((n + 1))
    put $A $n
    put $B $n
    yes "SNAPDECK-BLOCK $n" | head -c 65536 |
      dd of=/dev/vda bs=65536 seek=$((BLOCKS + n % 32)) count=1 iflag=fullblock conv=notrunc,fsync 2>/dev/null
    echo "$n" >/data/counter
    [ $((n % 10)) -eq 0 ] && echo "counter $n"
    usleep 100000 # ~5 iterations a second under TCG at ~35% of a core
  done
}
writer &
echo $! >/run/writer.pid

while :; do sleep 3600; done
INIT

# Parks the writer (bounded wait), used before a freeze and before power-off.
cat >"$S/bin/writer-pause" <<'EOF'
#!/bin/sh
touch /run/pause
i=0
while [ ! -e /run/paused ] && [ $i -lt 500 ]; do usleep 10000; i=$((i + 1)); done
[ -e /run/paused ] && echo "writer-paused $(cat /run/paused)" >/dev/console
EOF
# ACPI power button (virsh shutdown): park the writer, flush, power off at once.
cat >"$S/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo "acpi-poweroff" >/dev/console
writer-pause
sync
poweroff -f
EOF
# qemu-ga runs this with "freeze" before FIFREEZE and "thaw" after FITHAW.
cat >"$S/etc/qemu/fsfreeze-hook" <<'EOF'
#!/bin/sh
case $1 in
  freeze) writer-pause ;;
  thaw) rm -f /run/pause; echo "writer-resumed" >/dev/console ;;
esac
exit 0
EOF
chmod 0755 "$S/init" "$S/bin/writer-pause" "$S/etc/acpi/PWRF/00000080" "$S/etc/qemu/fsfreeze-hook"

pack() { # pack STAGE OUT: a gzip-compressed newc cpio (busybox cpio: the host has no cpio)
  (cd "$1" && find . | "$R/bin/busybox" cpio -o -H newc 2>/dev/null) | gzip -n >"$2"
}
pack "$S" "$WORK/out/initrd-plain.img"

# --- the agent variant: qemu-ga plus exactly the libraries the loader resolves ----------------
LIBDIR=lib/x86_64-linux-gnu
LDSO=$R/$LIBDIR/ld-linux-x86-64.so.2
mkdir -p "$S/$LIBDIR" "$S/lib64"
cp "$R/usr/sbin/qemu-ga" "$S/usr/sbin/qemu-ga"
# ld.so --list on the unpacked loader with only the unpacked dirs: every library must resolve
# inside $R (not to the host's copy) or the build fails.
LIST=$("$LDSO" --library-path "$R/$LIBDIR:$R/usr/$LIBDIR" --list "$R/usr/sbin/qemu-ga")
if grep -q 'not found' <<<"$LIST"; then
  echo "build-guest: qemu-ga libraries missing: $LIST" >&2
  exit 1
fi
for lib in $(awk '$2 == "=>" { print $3 }' <<<"$LIST"); do
  case $lib in "$R"/*) ;; *) echo "build-guest: $lib resolved outside the unpacked packages" >&2; exit 1 ;; esac
  cp -L "$lib" "$S/$LIBDIR/"
done
cp -L "$LDSO" "$S/lib64/ld-linux-x86-64.so.2"
pack "$S" "$WORK/out/initrd-agent.img"

cp "$R/boot/vmlinuz-$KVER" "$WORK/out/vmlinuz"
for p in $PKGS; do dpkg-deb -f "$WORK"/debs/"${p}"_*.deb Package Version | sed 's/^[^:]*: //' | paste -sd' '; done >"$WORK/out/packages.txt"
echo "$STAMP" >"$WORK/out/stamp"
# libvirt runs QEMU as libvirt-qemu: the directory must be traversable and the files readable.
chmod 0755 "$WORK/out"
chmod 0644 "$WORK/out"/*

# --- swap into place ------------------------------------------------------------------------
if [ -e "$OUTDIR" ]; then
  mv "$OUTDIR" "$WORK/old"
fi
mv "$WORK/out" "$OUTDIR"
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
echo "build-guest: built $OUTDIR in $(elapsed "$started") s (fetch + unpack $(awk -v a="$started" -v b="$fetched" 'BEGIN { printf "%.1f", b - a }') s;" \
  "kernel $KVER; initrd-plain $(du -h "$OUTDIR/initrd-plain.img" | cut -f1), initrd-agent $(du -h "$OUTDIR/initrd-agent.img" | cut -f1))"
