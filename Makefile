# Connection Lab (커넥션 랩) — build, run and test.
#
#   make run     build the stage and serve the site on http://127.0.0.1:8080/
#   make test    install what the tests need (as root), then run every check
#   make wasm    build/stage.wasm (+ .br, .gz) and build/wasm_exec.js
#   make dist    the static site in ./dist
#   make bench   engine benchmarks, natively and in WebAssembly under Node

# Go lives in /usr/local/go on a fresh machine; a go already on PATH wins.
export PATH := $(PATH):/usr/local/go/bin

GO        ?= go
ADDR      ?= 127.0.0.1:8080
GOROOT    := $(shell $(GO) env GOROOT)
# Go 1.24+ keeps the wasm support files in lib/wasm (misc/wasm before).
WASM_LIB  := $(GOROOT)/lib/wasm
WASM_EXEC := $(WASM_LIB)/go_js_wasm_exec
WASM_ENV  := GOOS=js GOARCH=wasm

# Debian packages the tests use, each with a command (or a file) that shows
# it is installed.
# tshark judges the pcap export, chromium and fonts-noto-cjk run the browser
# tests (Hangul renders as boxes without the font), nodejs runs the engine's
# tests compiled to WebAssembly, tcpdump and iproute2 (ip, ss) run the Linux
# twin's tests (internal/twin).
DEPS := tshark:tshark chromium:chromium fonts-noto-cjk:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc nodejs:node tcpdump:tcpdump iproute2:ip

# The stage's sources: the module's Go files that ./wasm imports under
# GOOS=js (internal/browsertest judges a stale build the same way).
STAGE_SRC := $(shell $(WASM_ENV) $(GO) list -deps -f '{{if .Module}}{{if .Module.Main}}{{range .GoFiles}}{{$$.Dir}}/{{.}} {{end}}{{range .EmbedFiles}}{{$$.Dir}}/{{.}} {{end}}{{end}}{{end}}' ./wasm 2>/dev/null) go.mod go.sum

# Packages checked natively: all but the stage's main package, which is a
# js/wasm program (a native build of Ebiten needs cgo and X11 headers; it is
# vetted under GOOS=js instead), and anything under the output folders.
NATIVE_PKGS = $$($(GO) list -e ./... | grep -v -x -e 'connlab/wasm' -e 'connlab/build/.*' -e 'connlab/dist/.*' -e 'connlab/internal/twin')
# The Linux twin runs first and alone: it holds real kernels to the engine's
# timing within a few milliseconds, and run beside the browser tests its
# kernels' softirqs and programs were 14 ms late (CI, persistent keepalive=1s,
# all three tries).
TWIN_PKG := ./internal/twin

.PHONY: run test deps machine fmt vet wasm dist bench clean

# make test times each of its steps (bash's time, after the command's
# output), for the breakdown in README.
SHELL := /bin/bash
export TIMEFORMAT := make: that took %0R s

run: wasm
	$(GO) run . -addr $(ADDR) -wasm build

# The stage is built before the tests so that the browser tests load this
# very build (they rebuild it themselves only when it is missing or stale).
# Its brotli-11 and gzip-9 files (make wasm) are left out: they take
# minutes on two cores and the browser tests make quicker ones themselves.
test: deps machine fmt vet build/stage.wasm build/wasm_exec.js
	time $(GO) test -timeout 30m $(TWIN_PKG)
	time $(GO) test -timeout 30m $(NATIVE_PKGS)
	time node --test assets/
	time $(WASM_ENV) $(GO) test -trimpath -exec="$(WASM_EXEC)" ./engine/...

# machine checks what make deps cannot install: Go, root, /dev/net/tun,
# network namespaces, the Go modules (it names the fix of each).
machine:
	@time GO=$(GO) sh .ci/machine

# deps installs missing Debian packages when run as root (apt-get update once,
# then one install; tshark's debconf question about non-root capture is
# answered "no" in advance) and otherwise stops with the command to run.
deps:
	@missing=""; \
	for d in $(DEPS); do \
	  pkg=$${d%%:*}; cmd=$${d#*:}; \
	  case $$cmd in \
	    /*) [ -e $$cmd ] || missing="$$missing $$pkg";; \
	    *) command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg";; \
	  esac; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "make: missing Debian packages:$$missing" >&2; \
	  echo "make: install them with: sudo apt-get update && sudo apt-get install -y$$missing" >&2; \
	  exit 1; \
	fi; \
	echo "make: installing$$missing"; \
	echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections; \
	export DEBIAN_FRONTEND=noninteractive; \
	time (apt-get update && apt-get install -y$$missing)

fmt:
	@time out=$$(gofmt -l $$(find . \( -path ./build -o -path ./dist -o -path ./.git \) -prune -o -name '*.go' -print)); if [ -n "$$out" ]; then echo "make: gofmt -w needed on:" >&2; echo "$$out" >&2; exit 1; fi

# The js/wasm vet uses -trimpath like the stage's build and the engine's
# tests under Node, so that both find the packages vet compiled (the
# standard library, Ebiten) in the build cache instead of compiling them
# again: without it the engine's js/wasm tests compiled the standard
# library a second time (80 s against 21 s on a fresh cache, loaded).
vet:
	time $(GO) vet $(NATIVE_PKGS)
	time $(WASM_ENV) $(GO) vet -trimpath ./engine/... ./wasm/...

wasm: build/stage.wasm build/stage.wasm.br build/stage.wasm.gz build/wasm_exec.js

build/stage.wasm: $(STAGE_SRC)
	@mkdir -p build
	time $(WASM_ENV) $(GO) build -trimpath -ldflags='-s -w' -o $@ ./wasm

build/stage.wasm.br build/stage.wasm.gz &: build/stage.wasm
	$(GO) run ./internal/precompress build/stage.wasm

build/wasm_exec.js: $(WASM_LIB)/wasm_exec.js
	@mkdir -p build
	cp $< $@

dist: wasm
	rm -rf dist
	$(GO) run . -wasm build -dist dist

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./engine/...
	$(WASM_ENV) $(GO) test -trimpath -exec="$(WASM_EXEC)" -run='^$$' -bench=. -benchmem ./engine/...

clean:
	rm -rf build dist
