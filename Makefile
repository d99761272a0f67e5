# dbgvisor: top-level build. `make` builds everything into dist/;
# `make run` boots the demo, `make test` runs the whole suite.
include Config.mk

export ROOT DIST BUILD

# Build order: the library before its users.
SUBDIRS := hypervisor xen-tests/guests libdebugctl tools/libxl tools/xl tools/dbgtop tools/gdbsx
SUBDIRS := $(foreach d,$(SUBDIRS),$(if $(wildcard $(d)/Makefile),$(d)))

.PHONY: all deps run test bench install clean $(SUBDIRS) launcher
all: $(SUBDIRS) launcher

deps:
	@bash scripts/install-deps.sh

# Each component stages its outputs into $(DIST) (the `install` target of
# the host-side ones; the hypervisor and guests do it in `all`).
hypervisor xen-tests/guests:
	$(MAKE) -C $@

libdebugctl:
	$(MAKE) -C $@ install

tools/libxl tools/xl tools/dbgtop tools/gdbsx: libdebugctl
	$(MAKE) -C $@ install

tools/xl: $(filter tools/libxl,$(SUBDIRS))

launcher: $(DIST)/bin/dbgvisor
$(DIST)/bin/dbgvisor: tools/launcher/dbgvisor.in Config.mk
	@mkdir -p $(dir $@)
	sed -e 's|@QEMU@|$(QEMU)|; s|@QEMU_CPU@|$(QEMU_CPU)|' $< > $@
	chmod +x $@

run: deps
	$(MAKE) all
	@bash scripts/demo.sh

test: deps
	$(MAKE) all
	@bash xen-tests/run-tests

bench: deps
	$(MAKE) all
	@bash xen-tests/bench/run-bench

install: all
	mkdir -p $(DESTDIR)$(PREFIX)
	cp -a $(DIST)/. $(DESTDIR)$(PREFIX)/

clean:
	rm -rf $(BUILD) $(DIST)
