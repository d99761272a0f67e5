#!/usr/bin/env bash
# The soak of `make soak` (xen-tests/soak/soak.sh) for 2 minutes of churn:
# 16 DR-heavy and self-debugging domains on 2 pCPUs, create/destroy,
# pause/unpause, policy changes, gdb and xl debug cycles, dbgtop, event
# readers that reconnect, xl floods; then the guests' self-checks, the event
# sequence, the hypervisor log and free memory. The 1,000-domain memory
# check is test_memacct.sh's.
exec env SOAK_SECONDS="${SOAK_SECONDS:-120}" SOAK_MEMACCT="${SOAK_MEMACCT:-0}" \
    bash "$(dirname "$0")/../soak/soak.sh"
