package claim

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Result is the outcome of one check of a claim.
type Result struct {
	Case     string  // what was checked, in a few words (law, sizes, inputs)
	Measured float64 // the statistic: a z-score, a relative error, a ratio
	Bound    float64 // what Measured is held to
	Pass     bool    // the verdict (false for a skipped check)
	// Skip, when not empty, says why the check did not run (a missing data set, say). A skipped
	// check is neither a pass nor a failure, and the command prints it as SKIP with this reason.
	Skip string
	// MDE is the minimum detectable relative error of a Monte-Carlo check: the smallest
	// multiplicative error of the exact value, |error| / |exact|, that the check rejects at its
	// sample size (critical value x SE / |exact|, or the robust radius / |exact|). 0 for a
	// deterministic check; +Inf where the exact value is 0.
	MDE    float64
	Detail string // the numbers behind the verdict: estimate, exact value, SE, z, seed
	// Err is the error that stopped the check (Failed): not a verdict of the check itself.
	Err error
}

// Skipped reports whether the check did not run.
func (r Result) Skipped() bool { return r.Skip != "" }

// Verdict is PASS, FAIL or SKIP.
func (r Result) Verdict() string {
	switch {
	case r.Skipped():
		return "SKIP"
	case r.Pass:
		return "PASS"
	}
	return "FAIL"
}

// String renders the result as one line: verdict, case, measured against bound, and the detail.
func (r Result) String() string {
	if r.Skipped() {
		return fmt.Sprintf("SKIP %s: %s", r.Case, r.Skip)
	}
	s := fmt.Sprintf("%s %s: measured %.4g, bound %.4g", r.Verdict(), r.Case, r.Measured, r.Bound)
	if r.MDE != 0 {
		s += fmt.Sprintf(", detects %.3g relative", r.MDE)
	}
	return s + "; " + r.Detail
}

// IsError reports whether the result records an error rather than a verdict of its check.
func (r Result) IsError() bool { return r.Err != nil }

// Rejected reports whether the check ran and failed on a number: what a negative control, or the
// evidence for a finding, must show (an error, a skip or a NaN statistic shows nothing).
func (r Result) Rejected() bool {
	return !r.Pass && !r.IsError() && !r.Skipped() && !math.IsNaN(r.Measured)
}

// Failed turns an error (bad parameters, a failed set-up or simulation) into a failing Result.
func Failed(what string, err error) Result {
	if err == nil {
		err = errors.New("unspecified error")
	}
	return Result{Case: what, Measured: math.NaN(), Bound: math.NaN(), Pass: false, Detail: "error: " + err.Error(), Err: err}
}

// Skipped is a check that did not run, with the reason.
func Skipped(what, reason string) Result {
	return Result{Case: what, Measured: math.NaN(), Bound: math.NaN(), Skip: reason, Detail: "skipped: " + reason}
}

// Check is a deterministic check of a measured value against an upper bound: pass when
// measured <= bound (a NaN never passes).
func Check(what string, measured, bound float64, detail string) Result {
	return Result{Case: what, Measured: measured, Bound: bound, Pass: measured <= bound, Detail: detail}
}

// AtLeast is a deterministic check of a measured value against a lower bound: pass when
// measured >= bound (a NaN never passes).
func AtLeast(what string, measured, bound float64, detail string) Result {
	return Result{Case: what, Measured: measured, Bound: bound, Pass: measured >= bound, Detail: detail}
}

// FirstErr returns the first non-nil error.
func FirstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Select returns the results whose Case contains part, in order: how a control or a test picks
// rows of a claim function by name rather than by position. A row that records an error (Failed,
// whose Case is the claim's label) is always kept, and a selection that matches nothing returns
// one Failed row saying so: a renamed case or a claim that stopped early never silently drops
// the rows a caller asked for.
func Select(rs []Result, part string) []Result {
	var out []Result
	for _, r := range rs {
		if r.IsError() || strings.Contains(r.Case, part) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return []Result{Failed(part, fmt.Errorf("no row of %d has a case containing %q", len(rs), part))}
	}
	return out
}

// Only returns the one result of rs, or a failing result that says how many there were (so that
// picking "the" row of a selection never indexes past what a claim returned).
func Only(rs []Result) Result {
	for _, r := range rs {
		if r.IsError() {
			return r // what stopped the claim says more than a count
		}
	}
	if len(rs) != 1 {
		return Failed("one row", fmt.Errorf("%d rows where exactly one was expected", len(rs)))
	}
	return rs[0]
}

// One returns the one row of rs whose Case contains part (Only of Select): a failing row when
// none or several match, or when rs records an error.
func One(rs []Result, part string) Result { return Only(Select(rs, part)) }
