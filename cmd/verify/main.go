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
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

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
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	paper := fs.String("paper", "", "run only this paper's claims (kernel, rbp, ...)")
	claimID := fs.String("claim", "", "run only this claim ID (e.g. KER-4)")
	seed := fs.Uint64("seed", 20180710, "base seed of every simulation")
	asJSON := fs.Bool("json", false, "print JSON rows instead of the table")
	controls := fs.Bool("controls", true, "also run the negative controls")
	report := fs.String("report", "", "also write a Markdown report with PNG figures into this folder")
	list := fs.Bool("list", false, "print the catalogue (statement, source, conditions, findings) and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *list {
		stdout.Write(claim.Catalogue(claim.Papers(), selected(*paper, *claimID)))
		return 0
	}
	rows, runs := collect(*paper, *claimID, *seed, *controls, stderr)
	if len(runs) == 0 {
		fmt.Fprintf(stderr, "verify: no claim matches -paper=%q -claim=%q\n", *paper, *claimID)
		return 2
	}
	bad := 0
	for _, r := range rows {
		if r.Verdict == "FAIL" || r.Verdict == "ACCEPTED" {
			bad++
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
		printTable(stdout, rows, *seed)
		fmt.Fprintf(stdout, "\n%d claims, %d checks, %d failed, %d skipped (seed %d)\n", len(runs), len(rows), bad, skipped(rows), *seed)
	}
	if *report != "" {
		fmt.Fprintf(stderr, "writing the report to %s ...\n", *report)
		if err := writeReport(*report, rows, runs, *seed); err != nil {
			fmt.Fprintln(stderr, "verify: report:", err)
			return 1
		}
	}
	if bad > 0 {
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

func collect(paper, id string, seed uint64, controls bool, progress io.Writer) ([]Row, []ran) {
	var rows []Row
	var runs []ran
	for _, c := range selected(paper, id) {
		start := time.Now()
		fmt.Fprintf(progress, "%s ...", c.ID)
		o := c.Run(seed)
		runs = append(runs, ran{c, o})
		if len(o.Results) == 0 {
			o.Results = []claim.Result{claim.Failed(c.ID+" run", fmt.Errorf("the run returned no result: nothing was checked"))}
		}
		for _, r := range o.Results {
			rows = append(rows, row(c, r, seed, false))
		}
		for _, f := range c.Findings {
			rows = append(rows, findingRow(c, f, o.Evidence, seed))
		}
		if controls {
			rs := c.Control(seed, claim.Full)
			if len(rs) == 0 {
				rs = []claim.Result{claim.Failed(c.ID+" control", fmt.Errorf("the control returned no result"))}
			}
			for _, r := range rs {
				rows = append(rows, row(c, r, seed, true))
			}
		}
		fmt.Fprintf(progress, " %.1fs\n", time.Since(start).Seconds())
	}
	return rows, runs
}

func row(c claim.Claim, r claim.Result, seed uint64, control bool) Row {
	v := r.Verdict()
	name := r.Case
	if control {
		name = "control: " + name
		v = map[string]string{"PASS": "ACCEPTED", "FAIL": "REJECTED", "SKIP": "SKIP"}[v]
		if r.IsError() {
			v = "FAIL" // a control that errs has not shown the check can see its error
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

// detects renders a minimum detectable error as a percentage, blank for a deterministic check.
func detects(m Number) string {
	if m == 0 {
		return ""
	}
	return fmt.Sprintf("%.3g%%", 100*float64(m))
}

// cell prints a number of the table, blank for NaN (a finding, a skipped check: nothing measured).
func cell(x Number) string {
	if math.IsNaN(float64(x)) {
		return ""
	}
	return fmt.Sprintf("%.4g", float64(x))
}

func printTable(w io.Writer, rows []Row, seed uint64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\tCASE\tMEASURED\tBOUND\tDETECTS\tVERDICT\n")
	last := ""
	for _, r := range rows {
		if r.ID != last {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\n", r.ID, short(r.Claim))
			last = r.ID
		}
		fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\t%s\n", strings.TrimPrefix(r.Case, r.ID+" "), cell(r.Measured), cell(r.Bound), detects(r.Detects), r.Verdict)
	}
	tw.Flush()
}

// short cuts a statement to its first sentence, at most 100 characters.
func short(s string) string {
	if i := strings.Index(s, ": "); i > 0 && i < 100 {
		s = s[:i]
	}
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}
