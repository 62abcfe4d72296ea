// Command verify runs every registered claim of the suite (package props) at the papers' own
// settings with a fixed, printed seed, and prints one row per check: ID, case, measured, bound,
// verdict. Each claim's negative control runs too and must be rejected (verdict REJECTED). The
// exit status is 1 when a claim fails or a control is accepted, 2 on bad flags.
//
//	go run ./cmd/verify                 # every claim
//	go run ./cmd/verify -paper kernel   # one paper (catalogue file name)
//	go run ./cmd/verify -claim KER-4    # one claim
//	go run ./cmd/verify -json           # machine-readable rows
//	go run ./cmd/verify -report report  # also report/README.md with PNG figures
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

	"github.com/dlt5/verify/props"
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
	Verdict  string `json:"verdict"` // PASS, FAIL, REJECTED (a control, as it should be), ACCEPTED (a control that passed: a failure)
	Detail   string `json:"detail"`
	Seed     uint64 `json:"seed"`
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	paper := fs.String("paper", "", "run only this paper's claims (kernel, rbp, ...)")
	claim := fs.String("claim", "", "run only this claim ID (e.g. KER-4)")
	seed := fs.Uint64("seed", 20180710, "base seed of every simulation")
	asJSON := fs.Bool("json", false, "print JSON rows instead of the table")
	controls := fs.Bool("controls", true, "also run the negative controls")
	report := fs.String("report", "", "also write a Markdown report with PNG figures into this folder")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rows, ran := collect(*paper, *claim, *seed, *controls, stderr)
	if ran == 0 {
		fmt.Fprintf(stderr, "verify: no claim matches -paper=%q -claim=%q\n", *paper, *claim)
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
		fmt.Fprintf(stdout, "\n%d claims, %d checks, %d failed (seed %d)\n", ran, len(rows), bad, *seed)
	}
	if *report != "" {
		fmt.Fprintf(stderr, "writing the report to %s ...\n", *report)
		if err := writeReport(*report, rows, *seed); err != nil {
			fmt.Fprintln(stderr, "verify: report:", err)
			return 1
		}
	}
	if bad > 0 {
		return 1
	}
	return 0
}

func collect(paper, claim string, seed uint64, controls bool, progress io.Writer) ([]Row, int) {
	var rows []Row
	ran := 0
	for _, c := range props.Claims() {
		if (paper != "" && c.Paper != paper) || (claim != "" && !strings.EqualFold(c.ID, claim)) {
			continue
		}
		ran++
		start := time.Now()
		fmt.Fprintf(progress, "%s ...", c.ID)
		for _, r := range c.Run(seed) {
			rows = append(rows, row(c, r, seed, false))
		}
		if controls && c.Control != nil {
			for _, r := range c.Control(seed) {
				rows = append(rows, row(c, r, seed, true))
			}
		}
		fmt.Fprintf(progress, " %.1fs\n", time.Since(start).Seconds())
	}
	return rows, ran
}

func row(c props.Claim, r props.Result, seed uint64, control bool) Row {
	v := map[[2]bool]string{{false, true}: "PASS", {false, false}: "FAIL", {true, false}: "REJECTED", {true, true}: "ACCEPTED"}[[2]bool{control, r.Pass}]
	name := r.Case
	if control {
		name = "control: " + name
	}
	return Row{ID: c.ID, Paper: c.Paper, Claim: c.Statement, Case: name, Measured: Number(r.Measured), Bound: Number(r.Bound), Verdict: v, Detail: r.Detail, Seed: seed}
}

func printTable(w io.Writer, rows []Row, seed uint64) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ID\tCASE\tMEASURED\tBOUND\tVERDICT\n")
	last := ""
	for _, r := range rows {
		if r.ID != last {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\n", r.ID, strings.ToUpper(r.Claim[:1])+r.Claim[1:])
			last = r.ID
		}
		fmt.Fprintf(tw, "\t%s\t%.4g\t%.4g\t%s\n", strings.TrimPrefix(r.Case, r.ID+" "), r.Measured, r.Bound, r.Verdict)
	}
	tw.Flush()
}
