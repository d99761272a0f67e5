# dbgvisor build configuration, included by every Makefile in the tree.
# Override any of these on the command line: make QEMU=/opt/qemu/bin/qemu-system-x86_64

# Expanded now, while this file is the last one read: a later -include of
# dependency files would make MAKEFILE_LIST point elsewhere.
ifndef ROOT
ROOT        := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
endif
DIST        ?= $(ROOT)/dist
BUILD       ?= $(ROOT)/build

# Host toolchain: tools, libraries, hosted unit tests.
CC          ?= gcc
HOSTCC      ?= $(CC)
AR          ?= ar
PKG_CONFIG  ?= pkg-config
HOST_CFLAGS ?= -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
               -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE

# SAN=1: the host side (libraries, tools, hosted unit tests) built with
# AddressSanitizer + UndefinedBehaviorSanitizer, any finding fatal, into its
# own build/san tree and dist (xen-tests/run-tests runs the unit tests and
# two tool integration tests this way; xen-tests/sanitize.sh fails on any report).
ifeq ($(SAN),1)
SAN_FLAGS       := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
override BUILD  := $(ROOT)/build/san
override DIST   := $(BUILD)/dist
override CC     := gcc $(SAN_FLAGS)
override HOSTCC := gcc $(SAN_FLAGS)
endif

# Hypervisor and guest toolchain: freestanding x86_64 (guests may be 32-bit).
HV_CC       ?= gcc
HV_LD       ?= ld
HV_OBJCOPY  ?= objcopy
HV_CFLAGS   ?= -O2 -g -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
               -fno-builtin -fno-common -fno-asynchronous-unwind-tables \
               -fno-omit-frame-pointer -mno-red-zone -mno-sse -mno-mmx -mno-sse2 \
               -mno-avx -mcmodel=small -Wall -Wextra -Wno-unused-parameter \
               -Werror=implicit-function-declaration -nostdinc \
               -isystem $(shell $(HV_CC) -print-file-name=include)

# Emulator. QEMU 10.x (bookworm-backports) emulates SVM debug state correctly.
QEMU        ?= qemu-system-x86_64
QEMU_CPU    ?= max
QEMU_ACCEL  ?= tcg

# Installation (GNU conventions).
PREFIX      ?= /usr/local
DESTDIR     ?=
