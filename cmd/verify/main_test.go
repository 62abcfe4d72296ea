package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dlt5/verify/props/claim"
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

// TestParallelIdentical: the output for a seed is byte-identical at -parallel 1 and 2 (and 4),
// table and JSON.
func TestParallelIdentical(t *testing.T) {
	for _, format := range [][]string{nil, {"-json"}} {
		var first string
		for _, p := range []string{"1", "2", "4"} {
			var out, errs bytes.Buffer
			args := append([]string{"-paper", "rbp", "-parallel", p}, format...)
			if code := run(args, &out, &errs); code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errs.String())
			}
			if first == "" {
				first = out.String()
			} else if out.String() != first {
				t.Fatalf("%v: output differs from -parallel 1", args)
			}
		}
	}
	var out, errs bytes.Buffer
	if code := run([]string{"-parallel", "0"}, &out, &errs); code != 2 {
		t.Fatalf("-parallel 0: exit %d", code)
	}
}

// TestTableWidth: every line of the table fits 120 columns, headlines wrap instead of being cut,
// and -v adds the details.
func TestTableWidth(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"-paper", "rbp", "-v"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if len(l) > width {
			t.Errorf("line of %d columns: %q", len(l), l)
		}
	}
	if strings.Contains(out.String(), "...") {
		t.Error("a headline is cut with ...")
	}
	if !strings.Contains(out.String(), "noise floor") {
		t.Error("-v shows no detail")
	}
	if !strings.Contains(out.String(), "rbp ") || !strings.Contains(out.String(), "9 claims") {
		t.Errorf("no per-paper summary:\n%s", out.String())
	}
}

// TestTableExtremes: rows with the widest numbers a check can produce, under every registered
// claim's statement and with long cases, verbose details and every verdict, fit the table's width
// (TestTableWidth runs real claims of one paper; this needs none).
func TestTableExtremes(t *testing.T) {
	nums := []Number{-1.2345678e-100, 1.2345678e300, -math.MaxFloat64, Number(math.Inf(-1)), Number(math.NaN()), 3.6e31, 9.9999, 1e-5, -0.00012345678}
	verdicts := []string{"PASS", "FAIL", "SKIP", "REJECTED", "ACCEPTED", "CONFIRMED"}
	var rows []Row
	for i, c := range claim.Claims() {
		for j, v := range verdicts {
			rows = append(rows, Row{ID: c.ID, Paper: c.Paper, Claim: c.Statement,
				Case:     c.ID + " " + strings.Repeat("networks-of-width-1000 gradient eigenbasis ", 1+j%3) + strings.Repeat("x", 150),
				Measured: nums[(i+j)%len(nums)], Bound: nums[(i+2*j+1)%len(nums)], Detects: nums[(i+3*j+2)%len(nums)],
				Verdict: v, Detail: strings.Repeat("a long detail ", 30) + strings.Repeat("y", 200)})
		}
	}
	var out bytes.Buffer
	printTable(&out, rows, true)
	for _, l := range strings.Split(out.String(), "\n") {
		if n := utf8.RuneCountInString(l); n > width {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	for _, x := range nums {
		if c := cell(x); len(c) > numWidth {
			t.Errorf("cell(%v) = %q, wider than %d", x, c, numWidth)
		}
		if d := detects(x); len(d) > detWidth {
			t.Errorf("detects(%v) = %q, wider than %d", x, d, detWidth)
		}
	}
	if got := cell(1.2345678e-3); got != "0.001235" {
		t.Errorf("cell keeps 4 significant digits where they fit: got %q", got)
	}
	for m, want := range map[Number]string{3.6e31: ">999%", 9.9999: ">999%", 9.9949: "999%", 0.5: "50%", 1e-5: "<0.01%", 0: "", Number(math.NaN()): "NaN%", Number(math.Inf(1)): ">999%"} {
		if got := detects(m); got != want {
			t.Errorf("detects(%v) = %q, want %q", m, got, want)
		}
	}
}

// TestFailureSummary: a failing row and an accepted control are listed with their replay commands.
func TestFailureSummary(t *testing.T) {
	rows := []Row{
		{ID: "KER-1", Paper: "kernel", Case: "KER-1 a", Verdict: "PASS"},
		{ID: "KER-1", Paper: "kernel", Case: "KER-1 b", Verdict: "FAIL", Measured: 9, Bound: 6},
		{ID: "RBP-2", Paper: "rbp", Case: "control: RBP-2 c", Verdict: "ACCEPTED"},
	}
	var out bytes.Buffer
	if n := printSummary(&out, rows, 2, 7); n != 2 {
		t.Fatalf("%d failures counted, want 2", n)
	}
	for _, want := range []string{"FAILURES (2)", "-claim KER-1 -seed 7", "-claim RBP-2 -seed 7", "kernel       1 claims", "2 claims, 3 checks, 2 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

// TestControlVerdicts: a control row is REJECTED only when its check ran and failed on a number;
// a NaN statistic, an error or a panic is a FAIL of the control, never a rejection.
func TestControlVerdicts(t *testing.T) {
	c := claim.Claim{ID: "KER-1", Paper: "kernel"}
	for _, tc := range []struct {
		r    claim.Result
		want string
	}{
		{claim.Check("x", 9, 6, ""), "REJECTED"},
		{claim.Check("x", 1, 6, ""), "ACCEPTED"},
		{claim.Result{Case: "x", Measured: math.NaN(), Bound: 6}, "FAIL"},
		{claim.Failed("x", errors.New("diverged")), "FAIL"},
		{claim.Skipped("x", "no data"), "SKIP"},
	} {
		if got := row(c, tc.r, 1, true).Verdict; got != tc.want {
			t.Errorf("control %v: verdict %s, want %s", tc.r, got, tc.want)
		}
	}
	o := guard("KER-1 run", func() claim.Outcome {
		var rs []claim.Result
		return claim.Results(rs[3]) // a claim indexing past its rows
	})
	if len(o.Results) != 1 || !o.Results[0].IsError() || !strings.Contains(o.Results[0].Detail, "panic") {
		t.Fatalf("guard = %v, want one failed row naming the panic", o.Results)
	}
}

// TestDispatch: the shared workers take the costliest claims first (Seconds, largest first),
// ties in registry order, and never a claim marked Alone.
func TestDispatch(t *testing.T) {
	cs := []claim.Claim{{ID: "A"}, {ID: "B", Seconds: 5}, {ID: "C", Alone: true, Seconds: 9}, {ID: "D"}, {ID: "E", Seconds: 20}, {ID: "F", Seconds: 5}}
	var got []string
	for _, i := range dispatch(cs) {
		got = append(got, cs[i].ID)
	}
	if want := "E B F A D"; strings.Join(got, " ") != want {
		t.Fatalf("dispatch order %v, want %s", got, want)
	}
}

// TestCollectOrder: whatever order dispatch starts the claims in (here the reverse of the
// registry's, by Seconds) and however many workers run them, collect returns the rows in
// registry order, each claim's run rows before its controls'.
func TestCollectOrder(t *testing.T) {
	var cs []claim.Claim
	var want []string
	for i := range 6 {
		id := fmt.Sprintf("ZZ-%d", i+1)
		cs = append(cs, claim.Claim{ID: id, Seconds: float64(i),
			Run: func(uint64) claim.Outcome {
				return claim.Results(claim.Result{Case: id + " run", Pass: true})
			},
			Control: func(uint64, claim.Size) []claim.Result { return []claim.Result{{Case: id + " control"}} }})
		want = append(want, id+" run", "control: "+id+" control") // the command prefixes control rows
	}
	for _, p := range []int{1, 2, 3} {
		rows, _ := collect(cs, 1, true, p, io.Discard)
		var got []string
		for _, r := range rows {
			got = append(got, r.Case)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("-parallel %d: rows %v, want %v", p, got, want)
		}
	}
}
