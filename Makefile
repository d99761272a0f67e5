# dbgvisor: top-level build. `make` builds everything into dist/;
# `make run` boots the demo, `make test` runs the whole suite.
include Config.mk

export ROOT DIST BUILD

# Build order: the library before its users.
SUBDIRS := hypervisor xen-tests/guests libdebugctl tools/libxl tools/xl tools/dbgtop tools/gdbsx
SUBDIRS := $(foreach d,$(SUBDIRS),$(if $(wildcard $(d)/Makefile),$(d)))

.PHONY: all deps run test bench install clean $(SUBDIRS) launcher san fuzz fuzz-long arm64 soak
all: $(SUBDIRS) launcher arm64

deps:
	@bash scripts/install-deps.sh

# Each component stages its outputs into $(DIST) (the `install` target of
# the host-side ones; the hypervisor and guests do it in `all`).
hypervisor xen-tests/guests:
	$(MAKE) -C $@

libdebugctl:
	$(MAKE) -C $@ install

# The AArch64 hypervisor and its guests (docs/arm64.md), with Debian's cross
# compiler (`make deps` installs it); without it they are left out, and
# xen-tests/integration/test_arm64.sh says so.
ARM64_CC ?= aarch64-linux-gnu-gcc
arm64:
	@if command -v $(ARM64_CC) >/dev/null 2>&1; then \
	    $(MAKE) -C hypervisor ARCH=arm64 && $(MAKE) -C xen-tests/guests/arm64; \
	else echo "arm64: $(ARM64_CC) not found, arm64 hypervisor not built (make deps)"; fi

tools/libxl tools/xl tools/dbgtop tools/gdbsx: libdebugctl
	$(MAKE) -C $@ install

tools/xl: $(filter tools/libxl,$(SUBDIRS))

launcher: $(DIST)/bin/dbgvisor
# The names policy= and timer_mode= take, from the hypervisor's own tables.
ABI_NAMES := $(BUILD)/launcher/abi_names
$(ABI_NAMES): tools/launcher/abi_names.c hypervisor/common/policy_names.c \
              hypervisor/include/dbgvisor/policy_names.h hypervisor/include/public/debug.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Ihypervisor/include -o $@ tools/launcher/abi_names.c hypervisor/common/policy_names.c
$(DIST)/bin/dbgvisor: tools/launcher/dbgvisor.in Config.mk $(ABI_NAMES)
	@mkdir -p $(dir $@)
	sed -e 's|@QEMU@|$(QEMU)|; s|@QEMU_CPU@|$(QEMU_CPU)|' \
	    -e "s|@POLICIES@|$$($(ABI_NAMES) policies)|; s|@TIMER_MODES@|$$($(ABI_NAMES) timer_modes)|" $< > $@
	chmod +x $@
launcher: $(DIST)/libexec/dbgvisor/arm64-bundle.sh
$(DIST)/libexec/dbgvisor/arm64-bundle.sh: scripts/arm64-bundle.sh
	install -D -m 755 $< $@
launcher: $(DIST)/share/man/man1/dbgvisor.1
$(DIST)/share/man/man1/dbgvisor.1: tools/launcher/dbgvisor.1
	install -D -m 644 $< $@

# The toolstack built with ASan+UBSan (SAN=1, Config.mk) into build/san/dist,
# beside the normal hypervisor, guests and launcher, for the sanitizer tests.
SAN_DIST := $(ROOT)/build/san/dist
san: all
	$(MAKE) SAN=1 libdebugctl tools/libxl tools/xl tools/dbgtop tools/gdbsx
	mkdir -p $(SAN_DIST)/bin $(SAN_DIST)/share/dbgvisor
	ln -sfn $(DIST)/boot $(SAN_DIST)/boot
	@# The guests and the like from the normal build; what the sanitized tools
	@# installed themselves (xl's manual and completion) stays.
	for d in $(DIST)/share/dbgvisor/*; do \
	    [ -d $(SAN_DIST)/share/dbgvisor/$$(basename $$d) ] && [ ! -L $(SAN_DIST)/share/dbgvisor/$$(basename $$d) ] || \
	        ln -sfn $$d $(SAN_DIST)/share/dbgvisor/; \
	done
	cp $(DIST)/bin/dbgvisor $(SAN_DIST)/bin/dbgvisor

# Coverage-guided fuzzing (xen-tests/fuzz, docs/reliability.md).
fuzz fuzz-long: deps
	$(MAKE) -C xen-tests/fuzz $@

run: deps
	$(MAKE) all
	@bash scripts/demo.sh

test: deps
	$(MAKE) all
	@bash xen-tests/run-tests

# Soak (docs/reliability.md): SOAK_MINUTES (default 30) of toolstack churn
# beside 16 DR-heavy domains, then 1,000 domains more (SOAK_MEMACCT).
soak: deps
	$(MAKE) all
	@bash xen-tests/soak/soak.sh

bench: deps
	$(MAKE) all
	@bash xen-tests/bench/run-bench $(SECTIONS)

# Nothing is installed at a path of Xen's own (libxenlight, libxl.h,
# xenlight.pc, xl(1), xl.cfg(5), the xl bash completion): those live in
# $(PREFIX)/{lib,include,share}/dbgvisor (docs/install.md,
# xen-tests/integration/test_install.sh).
install: all
	mkdir -p $(DESTDIR)$(PREFIX)
	cp -a $(DIST)/. $(DESTDIR)$(PREFIX)/

clean:
	rm -rf $(BUILD) $(DIST)
