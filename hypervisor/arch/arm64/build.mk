# The AArch64 hypervisor (docs/arm64.md): a Linux arm64 Image entered at EL2,
# built with the Debian cross compiler. Included by hypervisor/Makefile when
# ARCH=arm64; the x86 build never sees these rules.
ARM64_CROSS   ?= aarch64-linux-gnu-
ARM64_CC      ?= $(ARM64_CROSS)gcc
ARM64_OBJCOPY ?= $(ARM64_CROSS)objcopy
ARM64_CFLAGS  ?= -O2 -g -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
                 -fno-builtin -fno-common -fno-asynchronous-unwind-tables \
                 -fno-omit-frame-pointer -mgeneral-regs-only -mstrict-align -mno-outline-atomics \
                 -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
                 -nostdinc -isystem $(shell $(ARM64_CC) -print-file-name=include)

OUT      := $(BUILD)/hypervisor-arm64
# Common code that is arch-neutral today (the scheduler through asm/sched_arch.h,
# the domain life cycle through dbgvisor/domain_arch.h).
COMMON_C := common/lib/string.c common/lib/vsnprintf.c common/console.c common/domain.c \
            common/control/ring.c common/page_alloc.c common/domain_console.c \
            common/events.c common/policy_names.c common/schedule.c $(wildcard common/debug/*.c) \
            common/control/frame.c common/control/server.c common/control/serial_poll.c \
            common/control_backend.c common/control_backend_domain.c common/control_backend_console.c \
            common/keyhandler.c \
            common/guest_debug.c
SRCS_C   := $(shell find arch/arm64 -name '*.c' | sort) $(COMMON_C)
SRCS_S   := $(shell find arch/arm64 -name '*.S' | sort)
OBJS     := $(patsubst %.c,$(OUT)/%.o,$(SRCS_C)) $(patsubst %.S,$(OUT)/%.o,$(SRCS_S))
DEPS     := $(OBJS:.o=.d)
# arch/arm64/include first: <asm/...> is the arm64 flavour of each hook.
CPPFLAGS := -Iarch/arm64/include -Iinclude -MMD -MP

ELF      := $(OUT)/dbgvisor-arm64-syms.elf
IMAGE    := $(OUT)/dbgvisor-arm64.bin

.PHONY: all clean
all: $(DIST)/boot/dbgvisor-arm64.bin $(DIST)/boot/dbgvisor-arm64-syms.elf

$(OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo '  CC      $<'
	@$(ARM64_CC) $(ARM64_CFLAGS) $(CPPFLAGS) -c $< -o $@

$(OUT)/%.o: %.S
	@mkdir -p $(dir $@)
	@echo '  AS      $<'
	@$(ARM64_CC) $(ARM64_CFLAGS) $(CPPFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(ELF): $(OBJS) arch/arm64/hypervisor.lds
	@echo "  LD      $@"
	@$(ARM64_CC) -nostdlib -static -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	    -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T arch/arm64/hypervisor.lds -o $@ $(OBJS) -lgcc

# The Image is the raw memory image from the header on (objcopy -O binary).
$(IMAGE): $(ELF)
	@$(ARM64_OBJCOPY) -O binary $< $@

$(DIST)/boot/dbgvisor-arm64.bin: $(IMAGE)
	@mkdir -p $(dir $@)
	cp $< $@
$(DIST)/boot/dbgvisor-arm64-syms.elf: $(ELF)
	@mkdir -p $(dir $@)
	cp $< $@

clean:
	rm -rf $(OUT)

-include $(DEPS)
