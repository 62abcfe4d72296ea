package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/dlt5/verify/internal/text"
)

// The table's layout: it fits width columns. A claim's headline line is its ID and statement,
// wrapped at word boundaries; each check is one line (its case wrapped onto continuation lines
// when longer than caseWidth, never cut) with the numbers on the first.
const (
	width     = 120
	caseWidth = width - 2 - 2*(1+numWidth) - (1 + detWidth) - (1 + verdictWidth)
	numWidth  = 10
	detWidth  = 8
	// verdictWidth fits CONFIRMED and REJECTED.
	verdictWidth = 9
)

// abbreviations shorten the words that make case names long, the same way in every row; the
// table's last line lists them.
var abbreviations = []struct{ long, short string }{
	{"gradient", "grad"},
	{"eigenbasis", "eig"},
	{"networks", "nets"},
	{"network", "net"},
	{"relative", "rel"},
	{"Monte-Carlo", "MC"},
}

// abbreviate applies the abbreviations to a case name.
func abbreviate(s string) string {
	for _, a := range abbreviations {
		s = strings.ReplaceAll(s, a.long, a.short)
	}
	return s
}

// printTable writes the rows grouped by claim; verbose adds each row's detail, wrapped, under it.
func printTable(w io.Writer, rows []Row, verbose bool) {
	fmt.Fprintf(w, "%-*s %*s %*s %*s %s\n", caseWidth+2, "ID / CASE", numWidth, "MEASURED", numWidth, "BOUND", detWidth, "DETECTS", "VERDICT")
	last := ""
	for _, r := range rows {
		if r.ID != last {
			head := text.Wrap(r.Claim, width-len(r.ID)-1)
			fmt.Fprintf(w, "%s %s\n", r.ID, head[0])
			for _, l := range head[1:] {
				fmt.Fprintf(w, "%*s %s\n", len(r.ID), "", l)
			}
			last = r.ID
		}
		lines := text.Wrap(abbreviate(strings.TrimPrefix(strings.TrimPrefix(r.Case, r.ID+" "), "control: "+r.ID+" ")), caseWidth)
		if strings.HasPrefix(r.Case, "control: ") && !strings.HasPrefix(lines[0], "control: ") {
			lines = text.Wrap("control: "+strings.Join(lines, " "), caseWidth)
		}
		fmt.Fprintf(w, "  %-*s %*s %*s %*s %s\n", caseWidth, lines[0], numWidth, cell(r.Measured), numWidth, cell(r.Bound), detWidth, detects(r.Detects), r.Verdict)
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "    %s\n", l)
		}
		if verbose && r.Detail != "" {
			for _, l := range text.Wrap(r.Detail, width-6) {
				fmt.Fprintf(w, "      %s\n", l)
			}
		}
	}
	var used []string
	for _, a := range abbreviations {
		used = append(used, a.short+" = "+a.long)
	}
	fmt.Fprintf(w, "(abbreviations: %s)\n", strings.Join(used, ", "))
}

// bad reports whether a row is a failure: a failed check, an accepted control, an unconfirmed
// finding.
func bad(r Row) bool { return r.Verdict == "FAIL" || r.Verdict == "ACCEPTED" }

// printSummary writes the failures with their replay commands, one line per paper, and the total.
func printSummary(w io.Writer, rows []Row, claims int, seed uint64) int {
	failed := 0
	for _, r := range rows {
		if bad(r) {
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(w, "\nFAILURES (%d)\n", failed)
		for _, r := range rows {
			if bad(r) {
				for i, l := range text.Wrap(fmt.Sprintf("%s %s: %s, measured %s, bound %s", r.ID, strings.TrimPrefix(r.Case, r.ID+" "), r.Verdict, cell(r.Measured), cell(r.Bound)), width-2) {
					fmt.Fprintf(w, "%s%s\n", strings.Repeat(" ", 2*min(i, 1)), l)
				}
				fmt.Fprintf(w, "  replay: go run ./cmd/verify -claim %s -seed %d -v\n", r.ID, seed)
			}
		}
	}
	fmt.Fprintln(w)
	type count struct{ claims, checks, failed, skipped int }
	var order []string
	per := map[string]*count{}
	lastID := ""
	for _, r := range rows {
		c, ok := per[r.Paper]
		if !ok {
			c = &count{}
			per[r.Paper] = c
			order = append(order, r.Paper)
		}
		if r.ID != lastID {
			c.claims++
			lastID = r.ID
		}
		c.checks++
		if bad(r) {
			c.failed++
		}
		if r.Verdict == "SKIP" {
			c.skipped++
		}
	}
	for _, p := range order {
		c := per[p]
		fmt.Fprintf(w, "%-10s %3d claims %5d checks %3d failed %3d skipped\n", p, c.claims, c.checks, c.failed, c.skipped)
	}
	fmt.Fprintf(w, "%d claims, %d checks, %d failed, %d skipped (seed %d)\n", claims, len(rows), failed, skipped(rows), seed)
	return failed
}
