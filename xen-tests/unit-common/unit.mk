# Shared build rules of a hosted CUnit test directory. Its Makefile includes
# Config.mk, sets NAME, HV_SRCS (hypervisor sources under test), TEST_SRCS,
# the vpath for HV_SRCS and optionally CHECK_ARGS, then includes this file.
# Hypervisor objects get an hv_ prefix; ../../unit-common/unit.c comes with every suite.

# Config.mk's ROOT is computed lazily from the last makefile read: pin it.
ROOT     := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../..)
HV       := $(ROOT)/hypervisor
OUT      ?= $(BUILD)/unit/$(NAME)
CFLAGS_T  = $(HOST_CFLAGS) -I$(HV)/include -I. -I../../unit-common
OBJS      = $(patsubst %.c,$(OUT)/hv_%.o,$(notdir $(HV_SRCS))) \
            $(patsubst %.c,$(OUT)/%.o,$(TEST_SRCS) unit.c)
BIN       = $(OUT)/unit-$(NAME)-tests
HDRS      = $(wildcard $(HV)/include/*/*.h)

vpath unit.c ../../unit-common

.PHONY: all check clean
all: $(BIN)

check: $(BIN)
	$(BIN) $(CHECK_ARGS)

$(BIN): $(OBJS)
	$(HOSTCC) -o $@ $^ -lcunit

$(OUT)/hv_%.o: %.c $(HDRS) | $(OUT)
	$(HOSTCC) $(CFLAGS_T) -c -o $@ $<

$(OUT)/%.o: %.c tests.h ../../unit-common/unit.h $(HDRS) | $(OUT)
	$(HOSTCC) $(CFLAGS_T) -c -o $@ $<

$(OUT):
	mkdir -p $@

clean:
	rm -rf $(OUT)
