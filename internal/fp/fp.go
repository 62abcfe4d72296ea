// Package fp holds the suite's floating-point and argument hygiene, shared by theory/ and numeric/
// (it imports neither): typed-nil detection, exact power-of-two normalisation of a vector, and the
// assertion every fuzz target makes (an error, or a result whose every number is finite).
package fp

import (
	"fmt"
	"math"
	"reflect"
)

// IsNil reports whether a is nil or holds a nil pointer, map, slice, function, channel or
// interface: a typed nil such as (*mat.Dense)(nil), whose methods panic.
func IsNil(a any) bool {
	if a == nil {
		return true
	}
	switch v := reflect.ValueOf(a); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// Normalised returns x scaled by 2^-e so that its largest magnitude is in [0.5, 1), and e; a zero
// (or empty) vector is returned as it is with e = 0. The scaling is by a power of two, so it is
// exact for every entry that stays in the normal range; an entry more than 2^1021 below the
// largest becomes subnormal and is rounded to a multiple of 2^-1074 (absolute, before rescaling by
// 2^e): far below the rounding of any sum that includes the largest entry. x must be finite.
func Normalised(x []float64) ([]float64, int) {
	var big float64
	for _, v := range x {
		big = math.Max(big, math.Abs(v))
	}
	if big == 0 {
		return x, 0
	}
	_, e := math.Frexp(big)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Ldexp(v, -e)
	}
	return out, e
}

// Fataler is the part of *testing.T the assertions need.
type Fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// RequireFinite is a fuzz target's contract: it fails t when err is nil and some value is NaN or
// infinite (an error is always an acceptable answer to bad input).
func RequireFinite(t Fataler, what string, err error, vals ...float64) {
	t.Helper()
	if err != nil {
		return
	}
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s: value %d is %v with a nil error", what, i, v)
			return
		}
	}
}

// Matrix is the part of gonum's mat.Matrix RequireFiniteMatrix reads.
type Matrix interface {
	Dims() (r, c int)
	At(i, j int) float64
}

// RequireFiniteMatrix is RequireFinite for a matrix result, which must not be nil without an
// error.
func RequireFiniteMatrix(t Fataler, what string, err error, m Matrix) {
	t.Helper()
	if err != nil {
		return
	}
	if IsNil(m) {
		t.Fatalf("%s: nil matrix with a nil error", what)
		return
	}
	r, c := m.Dims()
	for i := range r {
		for j := range c {
			if v := m.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: entry [%d,%d] is %v with a nil error", what, i, j, v)
				return
			}
		}
	}
}

// Must returns v, and panics with err when err is not nil: for tests and examples, on arguments
// known to be valid, instead of discarding the error with _ (a panic fails the test and names the
// error; a discarded one would leave a zero value to be compared).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("fp.Must: %v", err))
	}
	return v
}
