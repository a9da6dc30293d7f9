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
# The harness's test kernel (built and cached on first use).
KDIR ?= $(shell $(MEMLAB_TOP)/scripts/kernel.sh dir 6.12)/kdir
endif
export ARCH CROSS_COMPILE LLVM

KERNELS ?=
MAKEFLAGS += --no-print-directory

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(MEMLAB_TOP) modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(MEMLAB_TOP) clean; fi
	rm -rf $(MEMLAB_TOP)/.out

userspace:
	$(MAKE) -C userspace

check:
	$(MEMLAB_TOP)/scripts/check.sh $(KERNELS)

demo:
	$(MEMLAB_TOP)/scripts/demo.sh demo

shell:
	$(MEMLAB_TOP)/scripts/demo.sh shell

bench:
	$(MEMLAB_TOP)/scripts/demo.sh bench

hosttest:
	$(MAKE) -C userspace/hosttest run

help:
	@echo 'memlab targets:'
	@echo '  make [modules]  build every module against KDIR (default: the'
	@echo '                  running kernel on arm64, else the 6.12 test kernel)'
	@echo '  make userspace  cross-build memlabctl, examples and guest tests'
	@echo '  make demo       boot Debian 6.12 in QEMU, load memlab, print its reports'
	@echo '  make shell      the same guest, to an interactive prompt'
	@echo '  make check      every test on every kernel; KERNELS="6.12" for a subset'
	@echo '  make bench      allocator benchmarks against the kernel, in QEMU'
	@echo '  make hosttest   host-side allocator tests only'
	@echo '  make clean      remove build products'
	@echo 'Variables: KDIR ARCH CROSS_COMPILE LLVM KERNELS MEMLAB_CACHE'

.PHONY: all modules clean userspace check demo shell bench hosttest help
