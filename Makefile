# The suite's commands. Tools that the code does not import run at pinned versions through
# `go run pkg@version`, so they stay out of go.mod.
GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GREMLINS    := github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0

.PHONY: test fmt vet lint unit golden verify report bench mutate soak fuzz conform long

## test: formatting, vet, staticcheck and every test (the CI gate)
test: fmt vet lint unit

fmt:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint:
	$(GO) run $(STATICCHECK) ./...

# -vet=off: make test has run the full go vet already; go test's own vet subset, with other flags,
# is not served from vet's cache and would vet every package (and the standard library) again
unit:
	$(GO) test -vet=off ./...

## conform: the conformance runner at full settings against the bundled Go and Python programs
## (go test ./conform, part of unit, runs them with a few cases each, and every faulty variant)
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
conform:
	$(GO) build -o /tmp/conform-go ./cmd/conform-go
	$(GO) run ./cmd/verify conform -- /tmp/conform-go
	$(GO) run ./cmd/verify conform -- $(PYTHON) conform/python/conform_testee.py

## long: the heavy settings behind -long, which go test skips: among them MF-5's tied "not one rate"
## (TestMF5TiedLong, 384 networks of width 1000, 49 CPU-seconds measured), MF-6 at wider networks,
## CNN-7 to n = 1e5 and DAE-9's longer run, and the conformance runner's full runs and faults
## (11 min 30 s on 2 cores, measured)
long:
	$(GO) test ./props ./conform -count=1 -long -timeout 60m

## golden: regenerate golden/*.json from theory/ and CLAIMS.md from the claim registry
golden:
	$(GO) test ./props -run 'TestGolden|TestCatalogue' -update

## soak: run the gate under SEEDS distinct rapid seeds (a flaky check is a bug); prints the failures.
## SOAKSKIP names the tests that draw nothing from rapid (fixed seeds: the same every run, and a
## third of props' time); SOAKSKIP= runs them too.
SEEDS ?= 20
SOAKSKIP ?= ^(TestControls|TestCNN7|TestDAE9)$$
soak:
	@fail=0; for i in $$(seq 1 $(SEEDS)); do \
	  seed=$$((i * 1000003 + 17)); \
	  if $(GO) test ./props -count=1 -rapid.seed=$$seed -skip '$(SOAKSKIP)' >/tmp/soak.$$i.log 2>&1; then echo "seed $$seed: ok"; \
	  else echo "seed $$seed: FAIL (log /tmp/soak.$$i.log)"; grep -m5 -- '--- FAIL' /tmp/soak.$$i.log; fail=$$((fail+1)); fi; \
	done; echo "soak: $(SEEDS) runs, $$fail failed"; test $$fail -eq 0

## fuzz: run every native fuzz target for FUZZTIME each (their seed corpora run in every go test)
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test $$pkg -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) || exit 1; \
	  done; done

## verify: run every claim and its negative control at the papers' settings
verify:
	$(GO) run ./cmd/verify

## report: the same, plus report/README.md with PNG figures (analytic curves against simulation)
report:
	$(GO) run ./cmd/verify -report report

## bench: the benchmarks (compare runs with benchstat)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## mutate: mutation testing of theory/, numeric/ and internal/vec (thresholds in .gremlins.yaml); efficacy per package
mutate:
	@fail=""; for d in theory/*/ numeric/*/ internal/vec/; do echo "== $$d"; \
	  $(GO) run $(GREMLINS) unleash ./$$d > /tmp/gremlins.log 2>&1; rc=$$?; \
	  grep -E 'Killed|Lived|Timed out|efficacy|coverage' /tmp/gremlins.log | tail -6; \
	  if [ $$rc -ne 0 ]; then echo "gremlins: $$d below the threshold or failed (exit $$rc)"; fail="$$fail $$d"; fi; done; \
	if [ -n "$$fail" ]; then echo "mutate: below the thresholds of .gremlins.yaml:$$fail"; exit 1; fi
