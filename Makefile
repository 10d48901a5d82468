# runbookc — a static site generator and validator for operational runbooks.
# `make` installs missing build dependencies, builds ./runbookc and builds
# content/ into out/.  `make test` runs the whole suite.

VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CONTENT ?= content
OUT ?= out

CC ?= cc
PKGS = libcmark-gfm yaml-0.1 libpcre2-8
DEB_PKGS = libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev libpcre2-dev pkg-config
CFLAGS ?= -O2 -g
WARN = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS_ALL = -D_XOPEN_SOURCE=700 -DRUNBOOKC_VERSION='"$(VERSION)"' -Isrc
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lpthread
BUILD ?= build

SRCS = src/arena.c src/buf.c src/str.c src/hmap.c src/value.c src/rx.c src/diag.c \
	src/fsutil.c src/config.c src/scan.c src/frontmatter.c src/markdown.c \
	src/page.c src/terms.c src/site.c src/digest.c src/inputs.c src/pcache.c src/pcache_write.c src/cachefile.c src/searchcache.c src/bookcache.c src/stage.c src/progress.c src/check.c src/template.c src/theme.c \
	src/render.c src/pool.c src/glob.c src/userrules.c src/alertrules.c
MAIN = src/main.c
# The pipeline the commands share, the preprocessor, --watch.
SRCS += src/pipeline.c src/preprocess.c src/watch.c src/stamp.c src/findings.c
# Render: pages and driver, shared context, listings, scripts, search,
# catalog, print book, the big-file writer they share.
SRCS += src/rctx.c src/rctx_out.c src/listings.c src/scriptpage.c src/search.c \
	src/catalog.c src/book.c src/sink.c
# The command line: main.c and one file per command (not in unit tests).
CLI_OBJS = $(BUILD)/main.o $(BUILD)/cmd.o $(BUILD)/cmd_build.o \
	$(BUILD)/cmd_check.o $(BUILD)/cmd_new.o $(BUILD)/cmd_list.o
THEME_FILES = $(shell find themes/default -type f ! -name "*~" | LC_ALL=C sort)

OBJS = $(SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/theme_data.o
UNIT_SRCS = $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%.o)

.PHONY: all deps site test unit golden browser asan valgrind clean install fuzz fuzz-targets \
	uninstall bench fuzz pdf FORCE

all: deps runbookc site

# Build dependencies: checked through pkg-config; installed with apt-get
# when missing (sudo when not root).  NO_DEPS_INSTALL=1 only prints how.
deps:
	@missing=""; \
	for p in $(PKGS); do pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	[ -e /usr/include/cmark-gfm-core-extensions.h ] || missing="$$missing cmark-gfm-extensions"; \
	if [ -n "$$missing" ]; then \
		cmd="apt-get install -y $(DEB_PKGS)"; \
		[ "$$(id -u)" = 0 ] || cmd="sudo $$cmd"; \
		if [ -n "$(NO_DEPS_INSTALL)" ] || ! command -v apt-get >/dev/null; then \
			echo "runbookc: missing build dependencies:$$missing"; \
			echo "runbookc: install them with: $$cmd"; exit 1; \
		fi; \
		echo "runbookc: installing build dependencies:$$missing ($$cmd)"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$cmd; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive $$cmd; fi; \
	fi

runbookc: $(OBJS) $(CLI_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(CLI_OBJS) $(PKG_LIBS)

# VERSION reaches the binary through main.o alone.  The stamp is rewritten
# only when VERSION changes, so `make VERSION=x` rebuilds main.o and an
# unrelated Makefile edit rebuilds nothing.
$(BUILD)/version.stamp: FORCE | $(BUILD)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
$(BUILD)/main.o: $(BUILD)/version.stamp
FORCE:

$(BUILD)/%.o: src/%.c src/*.h | $(BUILD)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_ALL) $(PKG_CFLAGS) -c -o $@ $<

# The default theme is compiled into the binary.
$(BUILD)/embed: tools/embed.c | $(BUILD)
	$(CC) $(CFLAGS) $(WARN) -o $@ $<

$(BUILD)/theme_data.c: $(BUILD)/embed $(THEME_FILES)
	$(BUILD)/embed themes/default $(THEME_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/theme_data.o: $(BUILD)/theme_data.c
	$(CC) $(CFLAGS) -std=c11 -c -o $@ $<

$(BUILD):
	mkdir -p $(BUILD) $(BUILD)/unit

site: runbookc
	./runbookc build $(CONTENT) -o $(OUT)

$(BUILD)/unit/%.o: tests/unit/%.c tests/unit/*.h tests/unit/tests.def src/*.h | $(BUILD)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_ALL) -Itests/unit $(PKG_CFLAGS) -c -o $@ $<

$(BUILD)/unit-tests: $(OBJS) $(UNIT_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(UNIT_OBJS) $(PKG_LIBS)

# The whole suite: unit tests, golden cases, the shipped content, the
# browser tests.  The last line is "N passed, N failed".
test: deps runbookc $(BUILD)/unit-tests
	@RUNBOOKC=$(CURDIR)/runbookc UNIT=$(CURDIR)/$(BUILD)/unit-tests sh tests/run.sh

# AddressSanitizer + UndefinedBehaviorSanitizer: a separate build tree.
asan: deps
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" runbookc-asan-test

runbookc-asan-test: $(OBJS) $(CLI_OBJS) $(BUILD)/unit-tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $(BUILD)/runbookc $(OBJS) $(CLI_OBJS) $(PKG_LIBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		RUNBOOKC=$(CURDIR)/$(BUILD)/runbookc UNIT=$(CURDIR)/$(BUILD)/unit-tests SKIP_BROWSER=1 sh tests/run.sh

valgrind: deps runbookc $(BUILD)/unit-tests
	@RUNBOOKC_NO_JIT=1 RUNBOOKC=$(CURDIR)/runbookc UNIT=$(CURDIR)/$(BUILD)/unit-tests SKIP_BROWSER=1 \
		WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" sh tests/run.sh

install: runbookc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 runbookc $(DESTDIR)$(BINDIR)/runbookc
	install -m 644 src/runbookc.1 $(DESTDIR)$(MANDIR)/man1/runbookc.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/runbookc $(DESTDIR)$(MANDIR)/man1/runbookc.1

clean:
	rm -rf build build-asan runbookc out out.runbookc-new out.runbookc-prev tests/out

# Fuzzing with libFuzzer (clang): every target, FUZZ_SECONDS each.
FUZZ_TARGETS = fuzz_frontmatter fuzz_config fuzz_page fuzz_template fuzz_diag \
	fuzz_alertrules fuzz_userrules
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
FUZZ_SECONDS ?= 60

fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang CFLAGS="$(FUZZ_FLAGS)" fuzz-targets
	FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/%)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(OBJS)
	$(CC) $(CFLAGS) $(WARN) $(CPPFLAGS_ALL) -fsanitize=fuzzer -o $@ $< $(OBJS) $(PKG_LIBS)

# The benchmark: runbookc against the cmark-gfm floor and Hugo (N pages).
N ?= 10000
bench: deps runbookc
	N=$(N) sh tests/bench/run.sh

# The print book as a PDF: out/print.html through headless Chromium into
# out/runbooks.pdf (the next build removes it, like any file it did not
# write).  CHROMIUM names the browser when it is not on PATH.
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || command -v google-chrome || true)
CHROMIUM_FLAGS = --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync
pdf: site
	@[ -n "$(CHROMIUM)" ] || { echo "runbookc: make pdf needs Chromium (apt-get install chromium, or CHROMIUM=...)"; exit 1; }
	@prof=$$(mktemp -d) && "$(CHROMIUM)" $(CHROMIUM_FLAGS) --user-data-dir="$$prof" \
		--no-pdf-header-footer --print-to-pdf="$(abspath $(OUT))/runbooks.pdf" \
		"file://$(abspath $(OUT))/print.html" >/dev/null 2>&1; rc=$$?; rm -rf "$$prof"; \
		[ $$rc = 0 ] && [ -s "$(OUT)/runbooks.pdf" ] && echo "runbookc: wrote $(OUT)/runbooks.pdf"

# The browser tests alone (make test runs them too).
browser: runbookc
	@mkdir -p tests/out && ROOT=$(CURDIR) RUNBOOKC=$(CURDIR)/runbookc TOUT=$(CURDIR)/tests/out \
		CHROMIUM="$(CHROMIUM)" sh tests/suites/browser.sh
