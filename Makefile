# SPDX-License-Identifier: GPL-2.0-only
#
# memlab: out-of-tree kernel modules, their tests and the QEMU harness.
# `make help` lists the targets.

MEMLAB_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
HOST_ARCH := $(shell uname -m)

ifeq ($(HOST_ARCH),aarch64)
KDIR ?= /lib/modules/$(shell uname -r)/build
else
ARCH ?= arm64
ifeq ($(LLVM),)
CROSS_COMPILE ?= aarch64-linux-gnu-
endif
ifeq ($(origin KDIR),undefined)
ifneq ($(filter all modules install,$(or $(MAKECMDGOALS),all)),)
# The harness's test kernel, built and cached on first use; evaluated once.
KDIR := $(shell $(MEMLAB_TOP)/scripts/kernel.sh dir 6.12)/kdir
else
# Other targets never prepare a kernel: clean uses the cached one, if any.
KDIR := $(or $(MEMLAB_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/memlab)/kernels/6.12/kdir
endif
endif
endif
export ARCH CROSS_COMPILE LLVM

KERNELS ?=
MAKEFLAGS += --no-print-directory
# The release of the kernel KDIR builds for: its UTS_RELEASE, which becomes
# the modules' vermagic and names their /lib/modules directory (Debian's
# headers put the upstream version in include/config/kernel.release), else
# kernel.release.
KRELEASE = $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null), \
	$(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null))
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(MEMLAB_TOP)/dkms.conf)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(MEMLAB_TOP) modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(MEMLAB_TOP) clean; fi
	rm -rf $(MEMLAB_TOP)/.out

# Modules under updates/memlab of the kernel's module tree, then depmod, so
# that modprobe memlab_dev loads memlab_alloc first. INSTALL_MOD_PATH stages.
INSTALL_DIR = $(INSTALL_MOD_PATH)/lib/modules/$(KRELEASE)/updates/memlab
DEPMOD = depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KRELEASE)
install: modules
	$(MAKE) -C $(KDIR) M=$(MEMLAB_TOP) INSTALL_MOD_DIR=updates/memlab modules_install
	$(DEPMOD)

# What make install put there, removed; then depmod.
uninstall:
	$(if $(KRELEASE),,$(error no kernel release in KDIR=$(KDIR)))
	rm -rf $(INSTALL_DIR)
	$(DEPMOD)

# /dev/memlab for the memlab group (udev), on the board.
install-udev:
	getent group memlab >/dev/null || groupadd --system memlab
	install -D -m 0644 scripts/board/60-memlab.rules $(DESTDIR)/etc/udev/rules.d/60-memlab.rules
	udevadm control --reload-rules && udevadm trigger --subsystem-match=misc || true

# The Rock 5B+ overlay, for Radxa OS or Armbian (scripts/board/install-overlay.sh).
install-overlay:
	scripts/board/install-overlay.sh

# Register this tree with DKMS, which rebuilds memlab for every new kernel.
# The copy uses tar, which every Debian system has (rsync it may not). DKMS
# will not replace a module of the same version, so make install's go first.
DKMS_SRC := /usr/src/memlab-$(DKMS_VERSION)
dkms: uninstall
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)
	tar -C $(MEMLAB_TOP) --exclude .git --exclude '.out*' --exclude '*.o' --exclude '*.ko' \
		-cf - . | tar -C $(DKMS_SRC) -xf -
	dkms add -m memlab -v $(DKMS_VERSION) || true
	dkms install -m memlab -v $(DKMS_VERSION)

# The overlays, compiled (dtc -@) into .out/dts/.
dtbs:
	@mkdir -p $(MEMLAB_TOP)/.out/dts
	for d in dts/*.dtso; do \
		dtc -@ -I dts -O dtb -o $(MEMLAB_TOP)/.out/dts/$$(basename $$d .dtso).dtbo $$d || exit 1; \
	done

userspace:
	$(MAKE) -C userspace

check:
	$(MEMLAB_TOP)/scripts/check.sh $(KERNELS)

# make check and make rehearse side by side, one summary: what .ci/run runs.
check-all:
	$(MEMLAB_TOP)/scripts/check-all.sh

demo:
	$(MEMLAB_TOP)/scripts/demo.sh demo

shell:
	$(MEMLAB_TOP)/scripts/demo.sh shell

bench:
	$(MEMLAB_TOP)/scripts/demo.sh bench

bench-trace:
	$(MEMLAB_TOP)/scripts/demo.sh bench-trace

pictures:
	$(MEMLAB_TOP)/scripts/demo.sh pictures

hosttest:
	$(MAKE) -C userspace/hosttest run

# docs/board.rst's "Step by step" as a user runs it, on Debian arm64 in
# QEMU: native make, install, DKMS, overlay, reboot, selftest, doctor.
rehearse:
	$(MEMLAB_TOP)/scripts/rehearse.sh

# The userspace TAP programs on the running kernel (scripts/selftest.sh), for
# kernels without KUnit: built for this machine, then run as root. The
# modules are built and insmodded from this tree unless SELFTEST_LOAD says
# modprobe (installed ones) or none (only what is loaded). Elsewhere than
# arm64 the programs are cross-built and it stops there, unless
# CROSS_COMPILE= asks for programs of this machine.
SELFTEST_LOAD ?= insmod
selftest:
	$(MAKE) -C userspace selftest
	$(MEMLAB_TOP)/scripts/selftest.sh -n
ifeq ($(SELFTEST_LOAD),insmod)
	$(MAKE) modules
endif
	$(MEMLAB_TOP)/scripts/selftest.sh -l $(SELFTEST_LOAD) $(SELFTEST_ARGS)

help:
	@echo 'memlab targets:'
	@echo '  make [modules]  build every module against KDIR (default: the'
	@echo '                  running kernel on arm64, else the 6.12 test kernel)'
	@echo '  make userspace  cross-build memlabctl, examples and guest tests'
	@echo '  make demo       boot Debian 6.12 in QEMU, load memlab, print its reports'
	@echo '  make shell      the same guest, to an interactive prompt'
	@echo '  make check-all  every test: make check and make rehearse side by side'
	@echo '  make check      every test on every kernel but the rehearsal;'
	@echo '                  KERNELS="6.12" for a subset'
	@echo '  make bench      benchmarks against the kernel'"'"'s own, in one QEMU boot'
	@echo '  make bench-trace  memlab_alloc with tracepoints compiled in (off) against'
	@echo '                  compiled out (MEMLAB_NOTRACE=1), in one boot of stock 6.1'
	@echo '  make hosttest   host-side allocator tests only'
	@echo '  make rehearse   docs/board.rst'"'"'s steps run natively on Debian arm64 in'
	@echo '                  QEMU: make, install, dkms, overlay, reboot, selftest, doctor'
	@echo '  make pictures   redraw docs/img/map.svg and walk.svg from a QEMU boot'
	@echo '  make selftest   the userspace TAP tests on the running kernel, as root'
	@echo '                  (on the board; SELFTEST_LOAD=insmod|modprobe|none)'
	@echo '  make install    modules into the kernel'"'"'s updates/ directory, then depmod'
	@echo '                  (INSTALL_MOD_PATH stages them elsewhere)'
	@echo '  make uninstall  remove what make install put there, then depmod'
	@echo '  make install-udev     /dev/memlab for the memlab group (on the board)'
	@echo '  make install-overlay  the Rock 5B+ overlay for Radxa OS or Armbian'
	@echo '  make dkms       register with DKMS: rebuilt for every new kernel (replaces'
	@echo '                  make install'"'"'s modules)'
	@echo '  make dtbs       compile the overlays into .out/dts/'
	@echo '  make clean      remove build products'
	@echo 'Variables: KDIR ARCH CROSS_COMPILE LLVM KERNELS MEMLAB_CACHE SELFTEST_LOAD'
	@echo '           MEMLAB_NOTRACE=1 (modules without their tracepoints)'

.PHONY: all modules clean userspace check check-all demo shell bench bench-trace pictures hosttest selftest \
	rehearse help install uninstall \
	install-udev install-overlay dkms dtbs
