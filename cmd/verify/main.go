// Command verify runs every registered claim of the suite (package props) at the papers' own
// settings with a fixed, printed seed, and prints one row per check: ID, case, measured, bound,
// verdict. Each claim's negative control runs too and must be rejected (verdict REJECTED). The
// exit status is 1 when a claim fails or a control is accepted, 2 on bad flags.
//
//	go run ./cmd/verify                 # every claim
//	go run ./cmd/verify -paper kernel   # one paper (catalogue file name)
//	go run ./cmd/verify -claim KER-4    # one claim
//	go run ./cmd/verify -json           # machine-readable rows
//	go run ./cmd/verify -report report  # also report/README.md with PNG figures and findings
//	go run ./cmd/verify -list           # the catalogue: statement, source, conditions, findings
//	go run ./cmd/verify -v              # each row's detail (estimate, exact value, SE, seed) too
//	go run ./cmd/verify conform -- CMD  # check another implementation (conform/PROTOCOL.md)
//
// Claims run in parallel (-parallel, default the number of CPUs); the output depends on the seed
// alone, never on -parallel. The table fits 120 columns; failures are listed at the end with the
// command that replays each. Progress goes to stderr (one line rewritten in place on a terminal,
// one line per claim elsewhere).
//
// A row's DETECTS column is the smallest relative error its Monte-Carlo check can see at its
// sample size (blank for a deterministic check). A check that did not run says SKIP and why.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/dlt5/verify/conform"
	_ "github.com/dlt5/verify/props" // registers the claims
	"github.com/dlt5/verify/props/claim"
)

// Number is a float64 that JSON-encodes a NaN or an infinity as the string "NaN", "+Inf", "-Inf"
// (a failed check may measure +Inf; plain JSON numbers cannot say so).
type Number float64

// MarshalJSON implements json.Marshaler.
func (n Number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return json.Marshal(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return json.Marshal(f)
}

// UnmarshalJSON implements json.Unmarshaler: a number, or one of the strings MarshalJSON writes.
func (n *Number) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		f, err := strconv.ParseFloat(s, 64)
		*n = Number(f)
		return err
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*n = Number(f)
	return err
}

// Row is one line of the report.
type Row struct {
	ID       string `json:"id"`
	Paper    string `json:"paper"`
	Claim    string `json:"claim"`
	Case     string `json:"case"`
	Measured Number `json:"measured"`
	Bound    Number `json:"bound"`
	// Detects is the minimum detectable relative error of a Monte-Carlo check (0: deterministic).
	Detects Number `json:"detects"`
	// Verdict is PASS, FAIL, SKIP (did not run; Detail says why), REJECTED (a control, as it
	// should be) or ACCEPTED (a control that passed: a failure).
	Verdict string `json:"verdict"`
	Detail  string `json:"detail"`
	Seed    uint64 `json:"seed"`
}

// run is what one claim's run returned, kept for the report.
type ran struct {
	claim   claim.Claim
	outcome claim.Outcome
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "conform" { // check another program: conform/PROTOCOL.md
		return conform.Main(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	paper := fs.String("paper", "", "run only this paper's claims (kernel, rbp, ...)")
	claimID := fs.String("claim", "", "run only this claim ID (e.g. KER-4)")
	seed := fs.Uint64("seed", 20180710, "base seed of every simulation")
	asJSON := fs.Bool("json", false, "print JSON rows instead of the table")
	controls := fs.Bool("controls", true, "also run the negative controls")
	report := fs.String("report", "", "also write a Markdown report with PNG figures into this folder")
	list := fs.Bool("list", false, "print the catalogue (statement, source, conditions, findings) and exit")
	verbose := fs.Bool("v", false, "print each row's detail under it")
	parallel := fs.Int("parallel", runtime.GOMAXPROCS(0), "claims run at once")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *parallel < 1 {
		fmt.Fprintf(stderr, "verify: -parallel %d: need at least 1\n", *parallel)
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "verify:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "verify:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	if *list {
		stdout.Write(claim.Catalogue(claim.Papers(), selected(*paper, *claimID)))
		return 0
	}
	claims := selected(*paper, *claimID)
	if len(claims) == 0 {
		fmt.Fprintf(stderr, "verify: no claim matches -paper=%q -claim=%q\n", *paper, *claimID)
		return 2
	}
	rows, runs := collect(claims, *seed, *controls, *parallel, stderr)
	failed := 0
	for _, r := range rows {
		if bad(r) {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			fmt.Fprintln(stderr, "verify:", err)
			return 1
		}
	} else {
		printTable(stdout, rows, *verbose)
		printSummary(stdout, rows, len(runs), *seed)
	}
	if *report != "" {
		fmt.Fprintf(stderr, "writing the report to %s ...\n", *report)
		if err := writeReport(*report, rows, runs, *seed); err != nil {
			fmt.Fprintln(stderr, "verify: report:", err)
			return 1
		}
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// selected returns the registered claims that match the -paper and -claim flags.
func selected(paper, id string) []claim.Claim {
	var out []claim.Claim
	for _, c := range claim.Claims() {
		if (paper == "" || c.Paper == paper) && (id == "" || strings.EqualFold(c.ID, id)) {
			out = append(out, c)
		}
	}
	return out
}

func skipped(rows []Row) int {
	n := 0
	for _, r := range rows {
		if r.Verdict == "SKIP" {
			n++
		}
	}
	return n
}

func row(c claim.Claim, r claim.Result, seed uint64, control bool) Row {
	v := r.Verdict()
	name := r.Case
	if control {
		name = "control: " + name
		switch {
		case r.Skipped():
			v = "SKIP"
		case r.Pass:
			v = "ACCEPTED"
		case r.Rejected():
			v = "REJECTED"
		default:
			v = "FAIL" // a control that errs or measures NaN has not shown the check can see its error
		}
	}
	return Row{ID: c.ID, Paper: c.Paper, Claim: c.Statement, Case: name, Measured: Number(r.Measured), Bound: Number(r.Bound),
		Detects: Number(r.MDE), Verdict: v, Detail: r.Detail, Seed: seed}
}

// findingRow is a row for a registered finding: CONFIRMED when the run's evidence still shows it,
// FAIL when the evidence is missing or no longer shows it (the code or the claim changed).
func findingRow(c claim.Claim, f claim.Finding, ev []claim.Evidence, seed uint64) Row {
	r := Row{ID: c.ID, Paper: c.Paper, Claim: c.Statement, Case: "finding: " + f.Name, Measured: Number(math.NaN()), Bound: Number(math.NaN()),
		Verdict: "FAIL", Detail: "the run measured no evidence for this finding", Seed: seed}
	for _, e := range ev {
		if e.Finding == f.Name {
			r.Detail = e.Detail
			if e.Confirmed {
				r.Verdict = "CONFIRMED"
			}
		}
	}
	return r
}

// detects renders a minimum detectable error as a percentage, blank for a deterministic check,
// ">999%" for a check that cannot see an error as large as the value itself ten times over (a
// degenerate control's 3.6e31 overflowed the column). -json keeps the number.
func detects(m Number) string {
	switch {
	case m == 0:
		return ""
	case math.IsNaN(float64(m)):
		return "NaN%"
	case m < 1e-4:
		return "<0.01%"
	case !(100*m < 999.5): // what %.3g would print as 1e+03% or wider
		return ">999%"
	}
	return fmt.Sprintf("%.3g%%", 100*float64(m))
}

// cell prints a number of the table in at most numWidth characters (fewer significant digits for
// a long exponent: -1.234e-100 becomes -1.23e-100), blank for NaN (a finding, a skipped check:
// nothing measured). -json keeps the number.
func cell(x Number) string {
	if math.IsNaN(float64(x)) {
		return ""
	}
	s := ""
	for p := 4; p >= 1; p-- {
		if s = strconv.FormatFloat(float64(x), 'g', p, 64); len(s) <= numWidth {
			break
		}
	}
	return s
}
