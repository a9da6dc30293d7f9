#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run once in the rehearsal image after debootstrap's second stage
# (scripts/rehearse/stage2): what a board's image has before its user
# follows docs/board.rst. Debian's stock kernel from the local repository,
# a user with sudo, and the unit that runs the rehearsal at each boot.
# /memlab-setup/env names the kernel (ABI) and the user (USERNAME).
set -euxo pipefail
. /memlab-setup/env
export DEBIAN_FRONTEND=noninteractive

# The guest has no network: its apt source is a directory of the .debs the
# host downloaded (scripts/rehearse.sh), so the page's apt-get commands run
# as written.
echo "deb [trusted=yes] file:/srv/memlab-repo ./" >/etc/apt/sources.list
apt-get update
# The initramfs needs only the disk (virtio) and ext4: listing them keeps
# it small, and quick to make and to load under TCG.
sed -i 's/^MODULES=.*/MODULES=list/' /etc/initramfs-tools/initramfs.conf
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic >>/etc/initramfs-tools/modules
# The kernel a board image boots; its recommends (apparmor, firmware) are
# no part of what memlab needs.
apt-get install -y --no-install-recommends "linux-image-$ABI"
apt-get clean

echo memlab-rehearse >/etc/hostname
echo "127.0.1.1 memlab-rehearse" >>/etc/hosts
echo "/dev/vda / ext4 defaults 0 1" >/etc/fstab
systemd-machine-id-setup

# The board's user: a login shell, sudo without a password (nobody types
# one in the rehearsal).
useradd -m -s /bin/bash -G sudo "$USERNAME"
echo "$USERNAME ALL=(ALL) NOPASSWD: ALL" >"/etc/sudoers.d/$USERNAME"
chmod 0440 "/etc/sudoers.d/$USERNAME"

# The rehearsal owns the console; no login prompt on it.
systemctl mask serial-getty@ttyAMA0.service getty@tty1.service
install -m 0755 /memlab-setup/memlab-rehearse /usr/local/sbin/memlab-rehearse
install -m 0644 /memlab-setup/memlab-rehearse.service /etc/systemd/system/
systemctl enable memlab-rehearse.service
