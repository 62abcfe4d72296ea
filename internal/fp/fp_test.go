package fp_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

func TestIsNil(t *testing.T) {
	var d *mat.Dense
	var m mat.Matrix
	for _, c := range []struct {
		v   any
		nil bool
	}{{nil, true}, {d, true}, {m, true}, {[]int(nil), true}, {mat.NewDense(1, 1, nil), false}, {3, false}, {"", false}} {
		if got := fp.IsNil(c.v); got != c.nil {
			t.Errorf("IsNil(%#v) = %v", c.v, got)
		}
	}
}

// TestNormalised: the largest magnitude lands in [0.5, 1), and rescaling by 2^e gives x back
// exactly, except for entries pushed below the normal range (rounded to a multiple of 2^-1074
// before rescaling).
func TestNormalised(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.SliceOfN(rapid.Float64Range(-1e300, 1e300), 1, 6).Draw(t, "x")
		y, e := fp.Normalised(x)
		big := 0.0
		for i := range x {
			if d := math.Abs(math.Ldexp(y[i], e) - x[i]); d > math.Ldexp(0x1p-1074, e) {
				t.Fatalf("entry %d: %v * 2^%d != %v", i, y[i], e, x[i])
			}
			big = math.Max(big, math.Abs(y[i]))
		}
		if big != 0 && !(big >= 0.5 && big < 1) {
			t.Fatalf("largest magnitude %v outside [0.5, 1)", big)
		}
	})
	if y, e := fp.Normalised([]float64{0, 0}); e != 0 || y[0] != 0 {
		t.Fatal("a zero vector was rescaled")
	}
}

type recorder struct{ msg string }

func (r *recorder) Helper()                           {}
func (r *recorder) Fatalf(format string, args ...any) { r.msg = fmt.Sprintf(format, args...) }

func TestRequireFinite(t *testing.T) {
	var r recorder
	fp.RequireFinite(&r, "x", nil, 1, 2)
	fp.RequireFinite(&r, "x", errors.New("bad input"), math.NaN())
	fp.RequireFiniteMatrix(&r, "m", nil, mat.NewDense(1, 1, []float64{1}))
	if r.msg != "" {
		t.Fatalf("a finite result or an error was flagged: %s", r.msg)
	}
	fp.RequireFinite(&r, "x", nil, 1, math.Inf(1))
	if r.msg == "" {
		t.Fatal("an infinite value with a nil error passed")
	}
	r.msg = ""
	fp.RequireFiniteMatrix(&r, "m", nil, mat.NewDense(1, 1, []float64{math.NaN()}))
	if r.msg == "" {
		t.Fatal("a NaN matrix with a nil error passed")
	}
	r.msg = ""
	var d *mat.Dense
	fp.RequireFiniteMatrix(&r, "m", nil, d)
	if r.msg == "" {
		t.Fatal("a nil matrix with a nil error passed")
	}
}

func TestMust(t *testing.T) {
	if fp.Must(3, nil) != 3 {
		t.Fatal("Must(3, nil) != 3")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Must with an error did not panic")
		}
	}()
	fp.Must(0, errors.New("boom"))
}
