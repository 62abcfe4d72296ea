package claim

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// Paper is one paper of the suite. Key is its one name everywhere: theory/<key>, numeric/<key>,
// props/<key>*.go, golden/<key>.json, Claim.Paper and the command's -paper flag.
type Paper struct {
	Key      string // "kernel"
	Prefix   string // the claim IDs' prefix, "KER"
	Citation string // authors, title, venue
	Summary  string // what the paper claims, in a sentence or two
}

// Claim is one numbered claim.
type Claim struct {
	ID         string // "KER-1"
	Paper      string // the paper's Key
	Statement  string // the claim in a sentence, in the project's words
	Source     string // where the paper states or implies it (section, equation, theorem)
	Conditions string // when it holds: the generator ranges and settings are drawn from these
	// Findings are where the paper's statement does not hold as written (the smallest case, what
	// holds instead); the numbers behind each come from Run as Evidence.
	Findings []Finding
	// Run checks the claim at the command's fixed settings: every Result must pass (or be skipped
	// with a reason); its figures and the evidence for its findings come from the same helpers.
	Run func(seed uint64) Outcome
	// Control runs the negative controls: every Result must fail its check (Result.Rejected). At
	// Full it uses Run's settings (the command); at Quick it may use smaller samples, sizes and
	// horizons, chosen so that every control is still rejected (go test runs every claim's
	// controls at Quick).
	Control func(seed uint64, size Size) []Result
	// Alone marks a claim that measures the whole process (allocated bytes): the command runs it
	// with no other claim running at the same time.
	Alone bool
	// Seconds is the claim's measured time in the command (run and controls, one core, warm),
	// 0 below about 3 s. It only orders the command's work: the costliest claims start first, so
	// that no long claim starts near the end while the other workers idle. The output does not
	// depend on it.
	Seconds float64
}

// Size is the scale at which a claim's controls run.
type Size int

const (
	// Full is the command's settings, the same as Run's.
	Full Size = iota
	// Quick is go test's: smaller simulations that still reject every control.
	Quick
)

// Finding is a registered finding of a claim: where the paper's statement does not hold as
// written. Name is short and unique within the claim; Says is the finding in full.
type Finding struct {
	Name string
	Says string
}

// Evidence is what a run measured for one of its claim's findings. Confirmed is false when the
// measurement no longer shows the finding (the code or the claim changed: look again).
type Evidence struct {
	Finding   string // the Finding's Name
	Confirmed bool
	Detail    string // the numbers, with the smallest case
}

// Outcome is what a claim's run returns: its checks, the data of its figures, and the evidence
// for its findings.
type Outcome struct {
	Results  []Result
	Figures  []Figure
	Evidence []Evidence
}

// Add appends results to the outcome.
func (o *Outcome) Add(rs ...Result) { o.Results = append(o.Results, rs...) }

// AddFigure appends a figure made by build, or, when build failed, a failing Result that says
// why (a figure that cannot be made is a failed check, not a silent gap in the report).
func (o *Outcome) AddFigure(f Figure, err error) {
	if err != nil {
		o.Add(Failed(f.File+" figure", err))
		return
	}
	o.Figures = append(o.Figures, f)
}

// Results wraps plain results as an Outcome.
func Results(rs ...Result) Outcome { return Outcome{Results: rs} }

// Figure is the plain data of one figure; cmd/verify draws it.
type Figure struct {
	File    string // PNG file name in the report folder, e.g. "kernel-angle.png"
	Title   string
	Caption string // one or two sentences under the figure: what is drawn, sizes, error bars
	XLabel  string
	YLabel  string
	LogX    bool
	LogY    bool
	Series  []Series
}

// Series is one curve or set of points of a figure.
type Series struct {
	Name   string
	Points bool      // points (a simulation) rather than a line (a closed form, a reference slope)
	X, Y   []float64 // same length
	// SE is the standard error of each point (nil for exact values); the figure draws error bars
	// of +-2 SE.
	SE []float64
	// Expect, when not nil, is the closed form at each X: a test holds every point to it at the
	// budget's critical value (|Y - Expect| <= t SE), counted as comparisons.
	Expect []float64
}

var (
	regMu    sync.Mutex
	registry = map[string]Claim{}
	papers   = map[string]Paper{}
)

// RegisterPaper adds a paper; it panics on a duplicate key or prefix (a programming error, caught
// at init).
func RegisterPaper(p Paper) {
	regMu.Lock()
	defer regMu.Unlock()
	if p.Key == "" || p.Prefix == "" {
		panic("claim: a paper needs a key and a prefix")
	}
	for _, q := range papers {
		if q.Key == p.Key || q.Prefix == p.Prefix {
			panic("claim: paper " + p.Key + " registered twice")
		}
	}
	papers[p.Key] = p
}

// Register adds a claim. It panics on a duplicate ID, a paper not registered first, an ID that
// does not start with the paper's prefix, or a claim without a statement, run or control: all
// programming errors, caught at init.
func Register(c Claim) {
	regMu.Lock()
	defer regMu.Unlock()
	p, ok := papers[c.Paper]
	switch {
	case !ok:
		panic(fmt.Sprintf("claim: %s: paper %q is not registered", c.ID, c.Paper))
	case !strings.HasPrefix(c.ID, p.Prefix+"-"):
		panic(fmt.Sprintf("claim: %s does not start with %s-", c.ID, p.Prefix))
	case c.Statement == "" || c.Source == "" || c.Conditions == "" || c.Run == nil || c.Control == nil:
		panic("claim: " + c.ID + " lacks a statement, source, conditions, run or control")
	case !(c.Seconds >= 0) || math.IsInf(c.Seconds, 0):
		panic(fmt.Sprintf("claim: %s: Seconds = %v must be finite and >= 0", c.ID, c.Seconds))
	}
	if _, dup := registry[c.ID]; dup {
		panic("claim: " + c.ID + " registered twice")
	}
	names := map[string]bool{}
	for _, f := range c.Findings {
		if f.Name == "" || f.Says == "" || names[f.Name] {
			panic("claim: " + c.ID + ": a finding needs a unique name and a text")
		}
		names[f.Name] = true
	}
	registry[c.ID] = c
}

// Claims returns the registered claims ordered by paper key, then by ID in natural order
// (MF-2 before MF-10).
func Claims() []Claim {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]Claim, 0, len(registry))
	for _, c := range registry {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Paper != out[j].Paper {
			return out[i].Paper < out[j].Paper
		}
		return IDLess(out[i].ID, out[j].ID)
	})
	return out
}

// Lookup returns the claim with this ID (case-insensitive).
func Lookup(id string) (Claim, bool) {
	regMu.Lock()
	defer regMu.Unlock()
	for k, c := range registry {
		if strings.EqualFold(k, id) {
			return c, true
		}
	}
	return Claim{}, false
}

// Papers returns the registered papers ordered by key.
func Papers() []Paper {
	regMu.Lock()
	defer regMu.Unlock()
	out := make([]Paper, 0, len(papers))
	for _, p := range papers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// IDLess orders claim IDs naturally: runs of digits compare by value, the rest as text, so
// "MF-2" < "MF-10" and "CNN-9" < "CNN-10" for any prefix and any number of digits.
func IDLess(a, b string) bool {
	ca, cb := chunks(a), chunks(b)
	for i := 0; i < len(ca) && i < len(cb); i++ {
		x, y := ca[i], cb[i]
		if x == y {
			continue
		}
		if isDigits(x) && isDigits(y) {
			tx, ty := strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
			if len(tx) != len(ty) {
				return len(tx) < len(ty)
			}
			if tx != ty {
				return tx < ty
			}
			return len(x) < len(y) // "02" after "2": equal values, a stable order
		}
		return x < y
	}
	return len(ca) < len(cb)
}

// chunks splits s into maximal runs of digits and of non-digits.
func chunks(s string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || unicode.IsDigit(rune(s[i])) != unicode.IsDigit(rune(s[i-1])) {
			out = append(out, s[start:i])
			start = i
		}
	}
	return out
}

func isDigits(s string) bool { return s != "" && unicode.IsDigit(rune(s[0])) }
