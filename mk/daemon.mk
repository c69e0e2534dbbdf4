# daemon: `make check-daemon` runs the daemon's unit tests and its
# end-to-end test (root, v1 memory cgroups) against the plain build.
.PHONY: check-daemon
check-daemon: $(BUILD)/oomkit $(BUILD)/tests/test_config $(BUILD)/tests/test_trigger $(BUILD)/tests/test_daemon
	$(BUILD)/tests/test_config && $(BUILD)/tests/test_trigger && $(BUILD)/tests/test_daemon
	OOMKIT=$(CURDIR)/$(BUILD)/oomkit bash tests/e2e/daemon.sh
