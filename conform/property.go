package conform

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dlt5/verify/conform/protocol"
	"pgregory.net/rapid"
)

// Failure classes of one case. A case passes when its class is empty.
const (
	classWrong      = "WRONG"       // an answer outside its tolerance
	classNonFinite  = "NONFINITE"   // NaN or an infinity where the true value is finite
	classErrorReply = "ERROR-REPLY" // an error reply to a request that has an answer
	classNoError    = "NO-ERROR"    // an answer to a request that must get an error reply
	classMalformed  = "MALFORMED"   // a result without the fields its op returns
	classBadCase    = "BAD-CASE"    // a -case the reference cannot judge (a bad flag, not a failure)
)

// verdict is what one case measured: the worst of its comparisons (the largest measured/bound),
// and the failure class, if any.
type verdict struct {
	class    string
	measured float64
	bound    float64
	what     string // which comparison gave measured and bound
	detail   string // why the case failed
	ratio    float64
	compared bool
}

// le records the comparison measured <= bound (a NaN measured fails). It keeps the comparison
// with the largest measured/bound; the first failing one sets the class.
func (v *verdict) le(what string, measured, bound float64) bool {
	ok := measured <= bound
	if v.class != "" {
		return ok // the first failing comparison stays the case's
	}
	r := ratio(measured, bound)
	if !ok || !v.compared || r > v.ratio {
		v.measured, v.bound, v.what, v.ratio, v.compared = measured, bound, what, r, true
	}
	if !ok {
		v.class = classWrong
		v.detail = fmt.Sprintf("%s: measured %.6g, bound %.6g", what, measured, bound)
	}
	return ok
}

// ratio orders comparisons: measured/bound, with a zero bound giving 0 (met) or +Inf (missed).
func ratio(measured, bound float64) float64 {
	switch {
	case math.IsNaN(measured):
		return math.Inf(1)
	case bound > 0:
		return measured / bound
	case measured <= bound:
		return 0
	}
	return math.Inf(1)
}

// close records |got - want| <= tol, failing with classNonFinite when got is NaN or infinite
// (want always finite here).
func (v *verdict) close(what string, got, want, tol float64) bool {
	if math.IsNaN(got) || math.IsInf(got, 0) {
		if v.class == "" {
			v.class, v.measured, v.bound, v.what, v.ratio, v.compared = classNonFinite, math.Inf(1), tol, what, math.Inf(1), true
			v.detail = fmt.Sprintf("%s = %v, the true value is %.17g", what, got, want)
		}
		return false
	}
	first := v.class == ""
	ok := v.le(what, math.Abs(got-want), tol)
	if !ok && first {
		v.detail = fmt.Sprintf("%s = %.17g, want %.17g: |error| %.3g > tolerance %.3g", what, got, want, math.Abs(got-want), tol)
	}
	return ok
}

// closeVec records a vector comparison in the 2-norm: |got - want|_2 <= tol.
func (v *verdict) closeVec(what string, got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		v.malformed(fmt.Sprintf("%s has %d entries, want %d", what, len(got), len(want)))
		return false
	}
	var d float64
	for i := range got {
		if math.IsNaN(got[i]) || math.IsInf(got[i], 0) {
			return v.close(fmt.Sprintf("%s[%d]", what, i), got[i], want[i], tol)
		}
		d = math.Hypot(d, got[i]-want[i])
	}
	first := v.class == ""
	ok := v.le(what+" (2-norm of the error)", d, tol)
	if !ok && first {
		v.detail = fmt.Sprintf("%s = %s, want %s: |error|_2 %.3g > tolerance %.3g", what, short(got), short(want), d, tol)
	}
	return ok
}

func (v *verdict) malformed(detail string) {
	if v.class == "" {
		v.class, v.detail, v.measured, v.bound = classMalformed, detail, math.NaN(), math.NaN()
	}
}

// short prints a vector with 6 significant digits.
func short(x []float64) string {
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = fmt.Sprintf("%.6g", v)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// abort ends a case early: the program failed the protocol, or gave an error reply or a
// malformed result where the case needs an answer.
type abort struct{ v verdict }

// failNow ends the case with a class and detail.
func failNow(class, detail string) {
	panic(abort{verdict{class: class, detail: detail, measured: math.NaN(), bound: math.NaN()}})
}

// Property is one conformance property: an id ("rbp.neumann/theory"), the op it is listed under,
// the ops it needs, what it checks, and its case generator and check.
type Property struct {
	ID    string
	Op    string   // the op the property is about (its -op filter)
	Needs []string // every op it sends
	Doc   string   // what is checked, with the tolerance
	// Cases is how many cases rapid draws at the default setting (-checks scales it).
	Cases  int
	draw   func(*rapid.T) any
	decode func([]byte) (any, error)
	check  func(*session, any) verdict
}

// Paper returns the paper key of the property's op (the part before the dot).
func (p *Property) Paper() string { return strings.SplitN(p.Op, ".", 2)[0] }

var registry = map[string]*Property{}

// define registers a property with a typed case: gen draws one, check judges it. The case type
// must survive a JSON round trip (the replay command passes it back with -case).
func define[C any](id, doc string, cases int, needs []string, gen func(*rapid.T) C, check func(*session, C) verdict) {
	if _, dup := registry[id]; dup {
		panic("conform: duplicate property " + id)
	}
	registry[id] = &Property{
		ID: id, Op: strings.SplitN(id, "/", 2)[0], Needs: needs, Doc: doc, Cases: cases,
		draw: func(t *rapid.T) any { return gen(t) },
		decode: func(b []byte) (any, error) {
			var c C
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&c); err != nil {
				return nil, err
			}
			return c, nil
		},
		check: func(s *session, c any) verdict { return check(s, c.(C)) },
	}
}

// Properties returns every registered property, sorted by op in PROTOCOL.md's order, then id.
func Properties() []*Property {
	out := make([]*Property, 0, len(registry))
	for _, p := range registry {
		out = append(out, p)
	}
	rank := map[string]int{}
	for i, op := range opOrder {
		rank[op] = i
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := rank[out[i].Op], rank[out[j].Op]; a != b {
			return a < b
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// opOrder is the order of the ops in PROTOCOL.md (and in the table).
var opOrder = []string{"kernel.kappa", "kernel.deep", "rbp.fixed_point", "rbp.neumann", "rbp.tbptt", "rbp.bptt", "rbp.cg",
	"rbp.original", "dae.u", "dae.ustar", "meanfield.vanilla", "meanfield.vanilla_timescale", "meanfield.minimal", "cnnbound.bound"}

// runCase judges one case, turning an abort into its verdict.
func (p *Property) runCase(s *session, c any) (v verdict) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(abort)
			if !ok {
				panic(r)
			}
			v = a.v
		}
	}()
	return p.check(s, c)
}

// caseJSON is the case as the replay command passes it.
func caseJSON(c any) string {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Sprintf("%+v", c)
	}
	return string(b)
}

// result is one reply's result object, read field by field; a missing or mistyped field ends the
// case as MALFORMED.
type result map[string]any

func (r result) float(name string) float64 {
	v, ok := r[name]
	if !ok {
		failNow(classMalformed, fmt.Sprintf("the result has no %q", name))
	}
	f, err := protocol.Float(v)
	if err != nil {
		failNow(classMalformed, fmt.Sprintf("result %q: %v", name, err))
	}
	return f
}

// maybeFloat reads a number or null (ok false).
func (r result) maybeFloat(name string) (float64, bool) {
	v, ok := r[name]
	if !ok {
		failNow(classMalformed, fmt.Sprintf("the result has no %q (a number or null)", name))
	}
	if v == nil {
		return 0, false
	}
	return r.float(name), true
}

func (r result) vector(name string, n int) []float64 {
	v, ok := r[name]
	if !ok {
		failNow(classMalformed, fmt.Sprintf("the result has no %q", name))
	}
	x, err := protocol.Vector(v)
	if err != nil {
		failNow(classMalformed, fmt.Sprintf("result %q: %v", name, err))
	}
	if len(x) != n {
		failNow(classMalformed, fmt.Sprintf("result %q has %d entries, want %d", name, len(x), n))
	}
	return x
}

// matrix reads an n x n matrix, flattened row-major.
func (r result) matrix(name string, n int) []float64 {
	v, ok := r[name]
	if !ok {
		failNow(classMalformed, fmt.Sprintf("the result has no %q", name))
	}
	m, err := protocol.Matrix(v)
	if err != nil {
		failNow(classMalformed, fmt.Sprintf("result %q: %v", name, err))
	}
	if len(m) != n {
		failNow(classMalformed, fmt.Sprintf("result %q has %d rows, want %d", name, len(m), n))
	}
	out := make([]float64, 0, n*n)
	for i, row := range m {
		if len(row) != n {
			failNow(classMalformed, fmt.Sprintf("result %q row %d has %d entries, want %d", name, i, len(row), n))
		}
		out = append(out, row...)
	}
	return out
}
