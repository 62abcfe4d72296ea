package conform

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dlt5/verify/internal/text"
	"pgregory.net/rapid"
)

// Row is one property's line of the report.
type Row struct {
	Op       string  `json:"op"`
	Property string  `json:"property"`
	Doc      string  `json:"doc"`
	Cases    int     `json:"cases"`
	Case     string  `json:"case"` // the failing (shrunk) case as JSON, or a summary of the passing ones
	What     string  `json:"what"` // the comparison that gave Measured and Bound
	Measured float64 `json:"measured"`
	Bound    float64 `json:"bound"`
	// Verdict is PASS, FAIL (a wrong answer, an error reply where there is an answer, an answer
	// where there must be an error, a malformed result), CRASH, TIMEOUT, PROTOCOL, SKIP (the
	// program does not support an op it needs), XFAIL (listed as a known failure, and failing) or
	// XPASS (listed, and passing: a failure).
	Verdict   string     `json:"verdict"`
	Class     string     `json:"class,omitempty"`
	Detail    string     `json:"detail,omitempty"`
	Exchanges []exchange `json:"exchanges,omitempty"`
	Replay    string     `json:"replay,omitempty"`
	Seconds   float64    `json:"seconds"`
}

// MarshalJSON writes the non-finite numbers as strings.
func (r Row) MarshalJSON() ([]byte, error) {
	type plain Row
	num := func(x float64) any {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	}
	return json.Marshal(struct {
		plain
		Measured any `json:"measured"`
		Bound    any `json:"bound"`
	}{plain(r), num(r.Measured), num(r.Bound)})
}

// failing reports whether a row fails the run.
func (r Row) failing() bool {
	switch r.Verdict {
	case "FAIL", "CRASH", "TIMEOUT", "PROTOCOL", "XPASS":
		return true
	}
	return false
}

// Options are the runner's settings (the command's flags).
type Options struct {
	Paper, Op, Property string
	Case                string // with Property: judge this one case (JSON) instead of drawing cases
	KnownFailures       []string
	Timeout             time.Duration
	Require             bool
	Seed                uint64
	Checks              int // at most this many cases per property; 0: each property's own count
	ShrinkTime          time.Duration
	Echo                io.Writer // the program's stderr, as it comes (nil: kept for crash reports only)
}

// Report is a whole run.
type Report struct {
	Program  []string `json:"program"`
	Name     string   `json:"name"`
	Rows     []Row    `json:"rows"`
	Requests int64    `json:"requests"`
	// MeanRoundTrip is the mean time from writing a request to reading its reply, in seconds.
	MeanRoundTrip float64 `json:"mean_round_trip"`
	Seconds       float64 `json:"seconds"`
	// Fatal is set when the program could not be started or failed its hello.
	Fatal string `json:"fatal,omitempty"`
	// ProtocolErrors counts the program's protocol errors.
	ProtocolErrors int    `json:"protocol_errors"`
	Seed           uint64 `json:"seed"`
}

// Status is the exit status of the run: 2 for a protocol error (or a program that cannot be
// started), 1 for a failing row, 0 otherwise.
func (r *Report) Status() int {
	if r.Fatal != "" || r.ProtocolErrors > 0 {
		return 2
	}
	for _, row := range r.Rows {
		if row.failing() {
			return 1
		}
	}
	return 0
}

// selectProperties applies -paper, -op and -property.
func selectProperties(o Options) ([]*Property, error) {
	var out []*Property
	ops := map[string]bool{}
	for _, op := range strings.Split(o.Op, ",") {
		if op = strings.TrimSpace(op); op != "" {
			ops[op] = true
		}
	}
	for _, p := range Properties() {
		if (o.Paper == "" || p.Paper() == o.Paper) && (len(ops) == 0 || ops[p.Op]) && (o.Property == "" || p.ID == o.Property) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no property matches -paper=%q -op=%q -property=%q (-list shows them)", o.Paper, o.Op, o.Property)
	}
	return out, nil
}

// Run runs the selected properties against the program argv and returns the report. The
// program's whole process group is ended before Run returns. Runs must not overlap in one process:
// rapid's settings (checks, seed, shrink time) are process-wide flags that Run sets per property
// (tests that ran Runs in parallel saw a property stop after 20 of its cases).
func Run(argv []string, o Options) (*Report, error) {
	props, err := selectProperties(o)
	if err != nil {
		return nil, err
	}
	if o.Case != "" && o.Property == "" {
		return nil, errors.New("-case needs -property")
	}
	known := map[string]bool{}
	for _, id := range o.KnownFailures {
		if registry[id] == nil {
			return nil, fmt.Errorf("known failure %q is not a property (-list shows them)", id)
		}
		known[id] = true
	}
	if o.Timeout <= 0 {
		return nil, fmt.Errorf("-timeout %v must be positive", o.Timeout)
	}
	initRapid()
	start := time.Now()
	s := newSession(argv, o.Timeout, o.Echo)
	rep := &Report{Program: argv, Seed: o.Seed}
	defer s.close()
	if err := s.start(); err != nil {
		rep.Fatal = err.Error()
		rep.Seconds = time.Since(start).Seconds()
		return rep, nil
	}
	rep.Name = s.name
	for _, p := range props {
		if s.fatal != nil {
			break
		}
		row := runProperty(p, s, o)
		if row.Class == classBadCase {
			return nil, errors.New(row.Detail) // a bad flag: exit status 2
		}
		if known[p.ID] {
			switch {
			case row.Verdict == "PASS":
				row.Verdict = "XPASS"
				row.Detail = "listed as a known failure, but it passes: take it off the list"
			case row.Verdict == "FAIL" || row.Verdict == "CRASH" || row.Verdict == "TIMEOUT":
				row.Detail = "known failure (" + row.Verdict + "): " + row.Detail
				row.Verdict = "XFAIL"
			}
		}
		rep.Rows = append(rep.Rows, row)
	}
	if s.fatal != nil {
		rep.Fatal = s.fatal.Error()
	}
	rep.Requests = s.requests
	if s.sent > 0 {
		rep.MeanRoundTrip = s.roundTrip.Seconds() / float64(s.sent)
	}
	rep.ProtocolErrors = s.protocolErrors
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// initRapid lets rapid run outside go test: rapid.Check asks testing.Short, which needs the
// testing flags registered and the command line parsed (both no-ops under go test).
func initRapid() {
	testing.Init()
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
}

// setRapid sets rapid's settings (its command-line flags) for one property: no fail files.
func setRapid(checks int, seed uint64, shrink time.Duration) {
	for name, v := range map[string]string{
		"rapid.checks": strconv.Itoa(checks), "rapid.seed": strconv.FormatUint(seed, 10),
		"rapid.nofailfile": "true", "rapid.shrinktime": shrink.String(),
	} {
		if err := flag.Set(name, v); err != nil {
			panic("conform: rapid's flag " + name + ": " + err.Error())
		}
	}
}

// propertySeed mixes the run's seed with the property's id, so a property draws the same cases
// whether it runs alone or with the others.
func propertySeed(seed uint64, id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	v := (seed ^ h.Sum64()) * 0x9e3779b97f4a7c15
	if v == 0 {
		v = 1 // rapid reads 0 as "a random seed"
	}
	return v
}

// tb is the testing.TB rapid reports to when the runner drives it outside go test.
type tb struct {
	name   string
	failed bool
	msgs   []string
}

func (t *tb) Helper()                  {}
func (t *tb) Name() string             { return t.name }
func (t *tb) Logf(string, ...any)      {}
func (t *tb) Log(...any)               {}
func (t *tb) Skipf(f string, a ...any) { t.msgs = append(t.msgs, "skip: "+fmt.Sprintf(f, a...)) }
func (t *tb) Skip(a ...any)            { t.msgs = append(t.msgs, "skip: "+fmt.Sprint(a...)) }
func (t *tb) SkipNow()                 {}
func (t *tb) Errorf(f string, a ...any) {
	t.failed = true
	t.msgs = append(t.msgs, fmt.Sprintf(f, a...))
}
func (t *tb) Error(a ...any)            { t.failed = true; t.msgs = append(t.msgs, fmt.Sprint(a...)) }
func (t *tb) Fatalf(f string, a ...any) { t.Errorf(f, a...) }
func (t *tb) Fatal(a ...any)            { t.Error(a...) }
func (t *tb) FailNow()                  { t.failed = true }
func (t *tb) Fail()                     { t.failed = true }
func (t *tb) Failed() bool              { return t.failed }

// propState follows one property's run through rapid.
type propState struct {
	cases    int
	worst    verdict
	worstAt  any
	failed   bool
	fail     verdict
	failCase any
	failLog  []exchange
	stop     bool
}

// runProperty draws the property's cases with rapid (or judges o.Case) and returns its row.
func runProperty(p *Property, s *session, o Options) Row {
	start := time.Now()
	row := Row{Op: p.Op, Property: strings.TrimPrefix(p.ID, p.Op+"/"), Doc: p.Doc, Measured: math.NaN(), Bound: math.NaN()}
	for _, op := range p.Needs {
		if !s.ops[op] {
			row.Verdict, row.Detail = "SKIP", fmt.Sprintf("the program does not support %s", op)
			if o.Require {
				row.Verdict = "FAIL"
				row.Detail += " (-require)"
			}
			return row
		}
	}
	s.restarts = 0
	st := &propState{}
	var failedAt time.Time
	judge := func(c any) verdict {
		s.beginCase()
		v := p.runCase(s, c)
		st.cases++
		if v.class == "" {
			if !st.worst.compared || v.ratio > st.worst.ratio {
				st.worst, st.worstAt = v, c
			}
			return v
		}
		if !st.failed {
			failedAt = time.Now()
		}
		st.failed, st.fail, st.failCase = true, v, c
		st.failLog = append(st.failLog[:0], s.log...)
		if v.class == kindTimeout || s.restarts >= maxRestarts || s.fatal != nil {
			st.stop = true // no more requests in this property: shrinking a hang costs a timeout each
		}
		if time.Since(failedAt) > o.ShrinkTime {
			st.stop = true // rapid's own limit is checked between its passes, which can be long
		}
		return v
	}
	var rapidMsg string
	if o.Case != "" {
		c, err := p.decode([]byte(o.Case))
		if err != nil {
			row.Verdict, row.Detail = "FAIL", fmt.Sprintf("-case %s: %v", o.Case, err)
			return row
		}
		// A hand-written case can be one the generator never draws (shapes that do not fit, an
		// argument outside the domain) and panic the reference: report it, do not crash.
		bad := func() (msg string) {
			defer func() {
				if r := recover(); r != nil {
					msg = fmt.Sprint(r)
				}
			}()
			judge(c)
			return ""
		}()
		if bad != "" {
			row.Verdict, row.Class = "FAIL", classBadCase
			row.Detail = fmt.Sprintf("-case %s is not a case of %s (the reference failed on it: %s)", o.Case, p.ID, bad)
			return row
		}
	} else {
		checks := p.Cases
		if o.Checks > 0 {
			checks = min(checks, o.Checks)
		}
		setRapid(checks, propertySeed(o.Seed, p.ID), o.ShrinkTime)
		t := &tb{name: p.ID}
		func() {
			defer func() {
				// rapid panics when a case fails differently on a second run (a program that is not
				// deterministic, or one that stopped answering); the failure recorded stands.
				if r := recover(); r != nil && !st.failed {
					rapidMsg = fmt.Sprint(r)
				}
			}()
			rapid.Check(t, func(rt *rapid.T) {
				if st.stop || s.fatal != nil {
					rt.SkipNow()
				}
				v := judge(p.draw(rt))
				// One call site per class: rapid keeps shrinking only towards the same failure.
				switch v.class {
				case "":
				case classWrong:
					rt.Fatalf("a wrong answer")
				case classNonFinite:
					rt.Fatalf("a non-finite answer")
				case classErrorReply:
					rt.Fatalf("an error reply")
				case classNoError:
					rt.Fatalf("no error reply")
				case classMalformed:
					rt.Fatalf("a malformed result")
				case kindCrash:
					rt.Fatalf("a crash")
				case kindTimeout:
					rt.Fatalf("a timeout")
				default:
					rt.Fatalf("a protocol error")
				}
			})
		}()
		if t.failed && !st.failed && rapidMsg == "" {
			rapidMsg = strings.Join(t.msgs, "; ")
		}
	}
	row.Cases = st.cases
	row.Seconds = time.Since(start).Seconds()
	switch {
	case st.failed:
		v := st.fail
		row.Verdict, row.Class = "FAIL", v.class
		switch v.class {
		case kindCrash, kindTimeout, kindProtocol:
			row.Verdict = v.class
		}
		row.Case, row.What, row.Measured, row.Bound, row.Detail = caseJSON(st.failCase), v.what, v.measured, v.bound, v.detail
		row.Exchanges = st.failLog
		row.Replay = replayCommand(p.ID, row.Case, o.Timeout, s.argv)
	case rapidMsg != "":
		row.Verdict, row.Detail = "FAIL", "rapid: "+rapidMsg
	default:
		row.Verdict = "PASS"
		if st.worst.compared {
			row.What, row.Measured, row.Bound = st.worst.what, st.worst.measured, st.worst.bound
			row.Case = caseJSON(st.worstAt)
		}
	}
	return row
}

// replayCommand is the command that judges just this case again (with the run's -timeout when it
// is not the default, so that a TIMEOUT replays as one).
func replayCommand(id, caseJSON string, timeout time.Duration, argv []string) string {
	parts := []string{"go", "run", "./cmd/verify", "conform", "-property", id, "-case", shellQuote(caseJSON)}
	if timeout != 10*time.Second {
		parts = append(parts, "-timeout", timeout.String())
	}
	parts = append(parts, "--")
	for _, a := range argv {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readKnownFailures reads a known-failures file: one property id a line; blank lines and text
// after # are ignored.
func readKnownFailures(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if line = strings.TrimSpace(line); line != "" {
			ids = append(ids, line)
		}
	}
	return ids, sc.Err()
}

// Main is the command `verify conform [flags] -- CMD ARGS...`; it returns the exit status: 0 when
// every property passes (or is a listed known failure), 1 on a failure, 2 on bad flags, a program
// that cannot be started, or a protocol error.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify conform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.StringVar(&o.Paper, "paper", "", "only this paper's ops (kernel, rbp, dae, meanfield, cnnbound)")
	fs.StringVar(&o.Op, "op", "", "only these ops (comma-separated, e.g. rbp.neumann,rbp.tbptt)")
	fs.StringVar(&o.Property, "property", "", "only this property (e.g. rbp.neumann/theory)")
	fs.StringVar(&o.Case, "case", "", "with -property: judge this one case (JSON, as a failure report prints it)")
	known := fs.String("known-failures", "", "file of property ids expected to fail (one a line, # comments)")
	fs.DurationVar(&o.Timeout, "timeout", 10*time.Second, "the longest the program may take over one request")
	fs.BoolVar(&o.Require, "require", false, "an op the program does not support is a failure, not a SKIP")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Uint64Var(&o.Seed, "seed", 20180710, "the seed every property's cases are drawn from")
	fs.IntVar(&o.Checks, "checks", 0, "at most this many cases per property (0: each property's own count)")
	fs.DurationVar(&o.ShrinkTime, "shrink-time", 5*time.Second, "the longest rapid spends shrinking one failing case")
	list := fs.Bool("list", false, "list the properties and exit")
	verbose := fs.Bool("v", false, "pass the program's stderr through, and print each row's detail")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: verify conform [flags] -- CMD ARGS...\n\nChecks a program that speaks conform/PROTOCOL.md on stdin/stdout.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *list {
		printList(stdout)
		return 0
	}
	argv := fs.Args()
	if len(argv) == 0 {
		fmt.Fprintln(stderr, "verify conform: no program given (verify conform [flags] -- CMD ARGS...)")
		return 2
	}
	if *known != "" {
		ids, err := readKnownFailures(*known)
		if err != nil {
			fmt.Fprintln(stderr, "verify conform:", err)
			return 2
		}
		o.KnownFailures = ids
	}
	if *verbose {
		o.Echo = stderr
	}
	rep, err := Run(argv, o)
	if err != nil {
		fmt.Fprintln(stderr, "verify conform:", err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "verify conform:", err)
			return 2
		}
	} else {
		printReport(stdout, rep, *verbose)
	}
	return rep.Status()
}

// printList writes every property with what it checks.
func printList(w io.Writer) {
	for _, p := range Properties() {
		fmt.Fprintf(w, "%s (needs %s; %d cases)\n", p.ID, strings.Join(p.Needs, ", "), p.Cases)
		for _, l := range text.Wrap(p.Doc, 110) {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}

// Table layout: 120 columns.
const (
	opWidth   = 28
	propWidth = 16
	numWidth  = 10
	caseWidth = 120 - opWidth - propWidth - 2*(numWidth+1) - 9 - 3
)

// printReport writes the table, the failures with their exchanges and replay commands, and the
// summary line.
func printReport(w io.Writer, rep *Report, verbose bool) {
	fmt.Fprintf(w, "%-*s %-*s %-*s %*s %*s %s\n", opWidth, "OP", propWidth, "PROPERTY", caseWidth, "CASE", numWidth, "MEASURED", numWidth, "BOUND", "VERDICT")
	for _, r := range rep.Rows {
		c := r.Case
		switch {
		case r.Verdict == "SKIP":
			c = r.Detail
		case r.Verdict == "PASS" || r.Verdict == "XPASS":
			c = fmt.Sprintf("%d cases; worst: %s", r.Cases, r.What)
			if r.What == "" {
				c = fmt.Sprintf("%d cases (error replies checked)", r.Cases)
			}
		}
		lines := text.Wrap(c, caseWidth)
		fmt.Fprintf(w, "%-*s %-*s %-*s %*s %*s %s\n", opWidth, r.Op, propWidth, r.Property, caseWidth, lines[0], numWidth, cell(r.Measured), numWidth, cell(r.Bound), r.Verdict)
		for _, l := range lines[1:] {
			fmt.Fprintf(w, "%*s %s\n", opWidth+propWidth+1, "", l)
		}
		if verbose && r.Detail != "" && r.Verdict != "SKIP" {
			for _, l := range text.Wrap(r.Detail, 110) {
				fmt.Fprintf(w, "      %s\n", l)
			}
		}
	}
	var bad []Row
	counts := map[string]int{}
	for _, r := range rep.Rows {
		counts[r.Verdict]++
		if r.failing() || r.Verdict == "XFAIL" {
			bad = append(bad, r)
		}
	}
	if len(bad) > 0 {
		fmt.Fprintf(w, "\nFAILURES (%d)\n", len(bad))
		for _, r := range bad {
			fmt.Fprintf(w, "%s/%s: %s", r.Op, r.Property, r.Verdict)
			if r.Class != "" && r.Class != r.Verdict {
				fmt.Fprintf(w, " (%s)", r.Class)
			}
			fmt.Fprintln(w)
			for _, l := range strings.Split(r.Detail, "\n") {
				fmt.Fprintf(w, "  %s\n", l)
			}
			if r.Case != "" && r.Verdict != "XPASS" {
				fmt.Fprintf(w, "  case (shrunk): %s\n", r.Case)
			}
			for _, e := range r.Exchanges {
				fmt.Fprintf(w, "  > %s\n  < %s\n", e.Request, e.Reply)
			}
			if r.Replay != "" {
				fmt.Fprintf(w, "  replay: %s\n", r.Replay)
			}
		}
	}
	if rep.Fatal != "" {
		fmt.Fprintf(w, "\nFATAL: %s\n", rep.Fatal)
	}
	var parts []string
	for _, v := range []string{"PASS", "FAIL", "CRASH", "TIMEOUT", "PROTOCOL", "XFAIL", "XPASS", "SKIP"} {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	name := rep.Name
	if name == "" {
		name = strings.Join(rep.Program, " ")
	}
	fmt.Fprintf(w, "\nconform: %d properties against %q: %s; %d requests, %.1f us per round trip; %.1f s; seed %d; exit %d\n",
		len(rep.Rows), name, strings.Join(parts, ", "), rep.Requests, rep.MeanRoundTrip*1e6, rep.Seconds, rep.Seed, rep.Status())
}

// cell prints a table number, blank for NaN.
func cell(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return fmt.Sprintf("%.4g", x)
}
