# lmrec — build, test, install. `make demo` and `make check` also install
# the Debian packages lmrec needs (as root; otherwise they print the line).
include config.mk
include tests/fuzz/wrap.mk

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

ifeq ($(SANITIZE),1)
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -DLMREC_VERSION='"$(VERSION)"' -Ilib $(BLAS_CFLAGS) $(CPPFLAGS)

V ?= 0
ifeq ($(V),0)
Q = @
say = @printf '  %-6s %s\n' $(1) $(2);
else
Q =
say =
endif

LIB_SRC = $(sort $(wildcard lib/*.c))
LIB_OBJ = $(LIB_SRC:.c=.o)
TOOL_SRC = $(sort $(wildcard bin/lmrec-*.c))
TOOLS = $(TOOL_SRC:.c=)
UNIT_SRC = $(sort $(wildcard tests/unit/*.c))
UNITS = $(UNIT_SRC:.c=)
TOOLS_TEST_SRC = $(sort $(wildcard tests/tools/*.c))
TEST_TOOLS = $(TOOLS_TEST_SRC:.c=)
BENCH_SRC = $(sort $(wildcard tests/bench/*.c))
BENCHES = $(BENCH_SRC:.c=)
MAN1 = $(sort $(wildcard man/man1/*.1))
MAN5 = $(sort $(wildcard man/man5/*.5))
MAN7 = $(sort $(wildcard man/man7/*.7))
PIPELINES = $(sort $(wildcard pipelines/*.sh))

# Debian packages: to build, and (beyond those) to run the tests.
BUILD_PKGS = gcc libc6-dev make pkg-config zlib1g-dev libcsv-dev libopenblas-dev liblapacke-dev libjansson-dev libssl-dev
RUN_PKGS = parallel time gnuplot-nox
# (openssh-server, openssh-client, rsync: the loopback ssh hosts of
# tests/pipeline-ssh.bats and tests/bench/scale.sh; nightly.sh's
# --sshloginfile needs rsync here and on the hosts)
TEST_PKGS = bats bats-support bats-assert mandoc man-db groff-base chromium shellcheck procps openssh-server openssh-client rsync
# make fuzz only: clang and its libFuzzer and sanitizer runtimes (Debian 12)
FUZZ_PKGS = clang libclang-rt-14-dev
# make check-valgrind and check-valgrind-nightly only
VALGRIND_PKGS = valgrind

all: lib/liblmrec.a $(TOOLS)

# A change of compiler or flags rebuilds everything (redis does the same).
BUILD_ID = $(CC) $(CFLAGS) $(ALL_CPPFLAGS) $(LDFLAGS) $(LIBS)
.build-flags: FORCE
	@echo '$(BUILD_ID)' | cmp -s - $@ || echo '$(BUILD_ID)' > $@
FORCE:

lib/%.o: lib/%.c .build-flags
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

lib/liblmrec.a: $(LIB_OBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $(LIB_OBJ)

# private: not inherited by the prerequisites, so .build-flags stays the same
# whichever target is built first (else it changes and everything rebuilds)
bin/lmrec-ingest: private LIBS += $(CSV_LIBS)
bin/lmrec-anon bin/lmrec-forget tests/unit/anon: private LIBS += $(CRYPTO_LIBS)
bin/%: bin/%.c lib/liblmrec.a .build-flags
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(CFLAGS) -MMD -MP -MF $@.d -o $@ $< lib/liblmrec.a $(LDFLAGS) $(LIBS)

tests/unit/%: tests/unit/%.c lib/liblmrec.a .build-flags
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(CFLAGS) -MMD -MP -MF $@.d -o $@ $< lib/liblmrec.a $(LDFLAGS) $(LIBS)

# The fuzz harnesses' replay: libcsv (the CSV target) and the wraps of
# tests/fuzz/harness.h (its own rule: a target-specific LIBS would reach
# .build-flags and rebuild everything).
tests/unit/fuzz_replay: tests/unit/fuzz_replay.c lib/liblmrec.a .build-flags
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(CFLAGS) -MMD -MP -MF $@.d -o $@ $< lib/liblmrec.a $(LDFLAGS) \
		$(LIBS) $(CSV_LIBS) $(FUZZ_WRAP)

tests/tools/%: tests/tools/%.c lib/liblmrec.a .build-flags
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(CFLAGS) -MMD -MP -MF $@.d -o $@ $< lib/liblmrec.a $(LDFLAGS) $(LIBS)

tests/bench/%: tests/bench/%.c lib/liblmrec.a .build-flags
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(CFLAGS) -MMD -MP -MF $@.d -o $@ $< lib/liblmrec.a $(LDFLAGS) $(LIBS)

-include $(LIB_OBJ:.o=.d) $(TOOLS:=.d) $(UNITS:=.d) $(TEST_TOOLS:=.d) $(BENCHES:=.d)

# ---- set-up ----
# Lists what is missing; as root installs it with apt-get, otherwise prints
# the exact command and stops.
deps:
	@sh tests/deps.sh $(BUILD_PKGS) $(RUN_PKGS)
deps-test:
	@sh tests/deps.sh $(BUILD_PKGS) $(RUN_PKGS) $(TEST_PKGS)

# ---- tests ----
BATS_JOBS ?= 2
BATS_FLAGS ?= $(if $(CI),--tap,)
# With SANITIZE=1 a sanitizer's report makes the tool exit 99 (as a Valgrind
# error does under check-valgrind), and AddressSanitizer's and LeakSanitizer's
# reports are written to files named after the suite and the test
# (tests/test_helper.bash), printed at the end: a report fails the check even
# from a tool whose failure a test expected or whose stderr a pipeline kept
# in its logs. (UndefinedBehaviorSanitizer only writes to stderr; its exit
# status 99 is what shows.)
check: deps-test
	$(Q)$(MAKE) --no-print-directory all units
ifeq ($(SANITIZE),1)
	$(Q)logs=$$(mktemp -d) && st=0 && \
	ASAN_OPTIONS="exitcode=99$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}" \
	UBSAN_OPTIONS="exitcode=99:print_stacktrace=1$${UBSAN_OPTIONS:+:$$UBSAN_OPTIONS}" \
	LMREC_SANITIZE=1 LMREC_SANITIZE_LOGS="$$logs" bats $(BATS_FLAGS) --jobs $(BATS_JOBS) tests/ || st=$$?; \
	if [ -n "$$(ls -A "$$logs")" ]; then \
		for f in "$$logs"/*; do printf '== sanitizer report: %s\n' "$${f##*/}"; cat "$$f"; done; \
		echo "check: $$(ls "$$logs" | wc -l) sanitizer reports (suite.test-number.pid above)"; st=1; \
	fi; rm -rf "$$logs"; exit $$st
else
	$(Q)LMREC_SANITIZE= LMREC_SANITIZE_LOGS= bats $(BATS_FLAGS) --jobs $(BATS_JOBS) tests/
endif

units: $(UNITS) $(TEST_TOOLS)

# The whole suite with every tool run under Valgrind (slow tests skipped).
check-valgrind: deps-test
	@sh tests/deps.sh $(VALGRIND_PKGS)
	$(Q)$(MAKE) --no-print-directory all units
	$(Q)LMREC_VALGRIND=1 OPENBLAS_CORETYPE=Haswell bats --jobs $(BATS_JOBS) tests/

# The nightly job over sample-data with every tool under Valgrind
# (tests/valgrind-nightly.sh): fails on any Valgrind error, leaks definite
# and possible included. The pipeline suites are not run under
# check-valgrind; this is their Valgrind check. About an hour on two cores:
# not in .ci/run. Needs the plain build (Valgrind cannot run ASan's).
check-valgrind-nightly: deps-test
	@sh tests/deps.sh $(VALGRIND_PKGS)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)OPENBLAS_CORETYPE=Haswell bash tests/valgrind-nightly.sh

# Golden files of the Bats suites are remade here; review the diff.
golden: all
	$(Q)LMREC_GOLDEN=1 bats tests/

# night-20m.sh (a whole night on 20 million rows) has a target of its own.
bench: deps-test all $(BENCHES) $(TEST_TOOLS)
	$(Q)for b in $(filter-out tests/bench/night-20m.sh,$(sort $(wildcard tests/bench/*.sh))); do \
		echo "== $$b"; bash $$b || exit 1; done

# The nightly job on a MovieLens-20M-shaped day; appends to tests/bench/RESULTS.md.
bench-20m: deps all
	$(Q)bash tests/bench/night-20m.sh

fuzz: all
	@sh tests/deps.sh $(FUZZ_PKGS)
	$(Q)$(MAKE) --no-print-directory -C tests/fuzz

lint-man:
	$(Q)mandoc -Tlint -Wwarning $(MAN1) $(MAN5) $(MAN7)

# ---- the demo ----
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash pipelines/demo.sh

# ---- install ----
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/pipelines $(DESTDIR)$(DATADIR)/sample-data
	install -m 0755 $(TOOLS) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MAN7) $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(PIPELINES) $(DESTDIR)$(DATADIR)/pipelines
	install -m 0644 $(wildcard pipelines/*.example pipelines/lib.sh) $(DESTDIR)$(DATADIR)/pipelines
	install -m 0644 $(wildcard sample-data/*) $(DESTDIR)$(DATADIR)/sample-data

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOLS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -f lib/*.o lib/*.d lib/liblmrec.a $(TOOLS) bin/*.d $(UNITS) tests/unit/*.d $(TEST_TOOLS) tests/tools/*.d \
		$(BENCHES) tests/bench/*.d .build-flags
	$(Q)$(MAKE) --no-print-directory -C tests/fuzz clean 2>/dev/null || true

.PHONY: all deps deps-test check units check-valgrind check-valgrind-nightly golden bench bench-20m fuzz lint-man demo install uninstall clean FORCE
