# The suite's commands. Tools that the code does not import run at pinned versions through
# `go run pkg@version`, so they stay out of go.mod.
GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GREMLINS    := github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0

.PHONY: test fmt vet lint unit golden verify report bench mutate

## test: formatting, vet, staticcheck and every test (the CI gate)
test: fmt vet lint unit

fmt:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

lint:
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test ./...

## golden: regenerate golden/*.json from theory/
golden:
	$(GO) test ./props -run TestGolden -update

## verify: run every claim and its negative control at the papers' settings
verify:
	$(GO) run ./cmd/verify

## report: the same, plus report/README.md with PNG figures (analytic curves against simulation)
report:
	$(GO) run ./cmd/verify -report report

## bench: the benchmarks (compare runs with benchstat)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## mutate: mutation testing of theory/ (thresholds in .gremlins.yaml)
mutate:
	@for d in theory/*/; do echo "== $$d"; $(GO) run $(GREMLINS) unleash ./$$d || exit 1; done
