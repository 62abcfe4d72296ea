package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestRunOneClaim(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"-claim", "KER-3"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{"KER-3", "rotation", "PASS", "REJECTED", "1 claims", "DETECTS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunJSON(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"-claim", "ker-3", "-json"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	var rows []Row
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("bad JSON (%v): %s", err, out.String())
	}
	if rows[0].ID != "KER-3" || rows[0].Seed != 20180710 {
		t.Fatalf("first row %+v", rows[0])
	}
}

func TestRunBadArguments(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"-claim", "NOPE-1"}, &out, &errs); code != 2 {
		t.Fatalf("unknown claim: exit %d", code)
	}
	if code := run([]string{"-bogus"}, &out, &errs); code != 2 {
		t.Fatalf("unknown flag: exit %d", code)
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if code := run([]string{"-claim", "RBP-3", "-report", dir}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	md, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| RBP-3 |", "## Findings", "norm of J^T", "confirmed", "rbp-neumann.png"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "rbp-neumann.png"))
	if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
		t.Errorf("rbp-neumann.png is not a PNG (%v)", err)
	}
}

func TestList(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"-list", "-paper", "kernel"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, want := range []string{"### KER-1", "### KER-7", "Source:", "Conditions:", "Finding (parity)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-list lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "RBP-1") {
		t.Error("-list -paper kernel lists an RBP claim")
	}
}

// TestNumberRoundTrip: every float64, NaN and infinities included, survives JSON.
func TestNumberRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := rapid.OneOf(rapid.Float64(), rapid.SampledFrom([]float64{math.NaN(), math.Inf(1), math.Inf(-1)})).Draw(t, "f")
		b, err := json.Marshal(Number(f))
		if err != nil {
			t.Fatal(err)
		}
		var back Number
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if g := float64(back); g != f && !(math.IsNaN(g) && math.IsNaN(f)) {
			t.Fatalf("%v -> %s -> %v", f, b, g)
		}
	})
}
