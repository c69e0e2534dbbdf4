#!/bin/bash
# fuzz_varlink.sh - the varlink messages oomkit reads from systemd (managed
# cgroups: src/daemon/managed_oom.c over src/core/json_read.c) under
# libFuzzer (ASan + UBSan) for FUZZ_SECONDS (default 20), from the seed
# corpus in tests/fuzz/varlink_corpus/. Any crash, leak or invariant
# violation (abort in the target) fails.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
trap e2e_cleanup EXIT
fuzz_target varlink
exit $E2E_FAILED
