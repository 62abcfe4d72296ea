package diff_test

import (
	"errors"
	"github.com/dlt5/verify/internal/fp"
	"math"
	"testing"

	"github.com/dlt5/verify/numeric/diff"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// A cubic's central difference has truncation step^2 f”'/6 exactly; Richardson removes it.
func TestGradientOrders(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.Float64Range(-2, 2).Draw(t, "x")
		c := rapid.Float64Range(0.5, 3).Draw(t, "cubic coefficient")
		h := rapid.Float64Range(1e-3, 1e-2).Draw(t, "step")
		w := []float64{x}
		f := func() (float64, error) { return c * w[0] * w[0] * w[0], nil }
		g, err := diff.Gradient(w, h, f)
		if err != nil || w[0] != x {
			t.Fatalf("%v (w restored: %v)", err, w[0] == x)
		}
		want, trunc := 3*c*x*x, c*h*h // f''' = 6c: step^2 * 6c / 6
		if math.Abs(g[0]-want-trunc) > 1e-9 {
			t.Fatalf("central difference %v, want %v + truncation %v", g[0], want, trunc)
		}
		r, err := diff.GradientRichardson(w, h, f)
		if err != nil || math.Abs(r[0]-want) > 1e-9 {
			t.Fatalf("Richardson %v, want %v (%v)", r[0], want, err)
		}
	})
}

func TestGradientErrors(t *testing.T) {
	w := []float64{1}
	boom := errors.New("boom")
	if _, err := diff.Gradient(w, 1e-3, func() (float64, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("the function's error was not passed on: %v", err)
	}
	if _, err := diff.Gradient(w, 1e-3, func() (float64, error) { return math.NaN(), nil }); err == nil {
		t.Error("a NaN quotient returned without error")
	}
	for _, h := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := diff.Gradient(w, h, func() (float64, error) { return 0, nil }); err == nil {
			t.Errorf("step %v accepted", h)
		}
	}
	if _, err := diff.Gradient(w, 1e-3, nil); err == nil {
		t.Error("a nil function accepted")
	}
}

func TestJacobians(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	j, err := diff.Jacobian(2, func(dst, v []float64) {
		r := mat.NewVecDense(2, dst)
		r.MulVec(a, mat.NewVecDense(2, v))
	})
	if err != nil || !mat.Equal(j, a) {
		t.Fatalf("Jacobian by products %v (%v)", mat.Formatted(j), err)
	}
	fd, err := diff.MapJacobian([]float64{0.3, -0.2}, 2, 1e-6, func(dst, x []float64) {
		dst[0], dst[1] = x[0]+2*x[1], 3*x[0]+4*x[1]
	})
	if err != nil || !mat.EqualApprox(fd, a, 1e-9) {
		t.Fatalf("central-difference Jacobian %v (%v)", mat.Formatted(fd), err)
	}
	if _, err := diff.Jacobian(2, func(dst, v []float64) { dst[0], dst[1] = math.NaN(), 0 }); err == nil {
		t.Error("a NaN product returned without error")
	}
	if _, err := diff.Jacobian(0, func(dst, v []float64) {}); err == nil {
		t.Error("dimension 0 accepted")
	}
	if _, err := diff.MapJacobian(nil, 1, 1e-3, func(dst, v []float64) {}); err == nil {
		t.Error("an empty point accepted")
	}
}

func FuzzGradient(f *testing.F) {
	f.Add(1.0, 1e-3, 2)
	f.Add(math.NaN(), 1e-3, 1)
	f.Add(1e308, 1e300, 3)
	f.Add(0.0, 0.0, 1)
	f.Add(1.0, math.Inf(1), 1)
	f.Fuzz(func(t *testing.T, x, h float64, n int) {
		n = 1 + (n%4+4)%4
		w := make([]float64, n)
		for i := range w {
			w[i] = x
		}
		quad := func() (float64, error) {
			s := 0.0
			for _, v := range w {
				s += v * v
			}
			return s, nil
		}
		for _, g := range []func([]float64, float64, func() (float64, error)) ([]float64, error){diff.Gradient, diff.GradientRichardson} {
			out, err := g(w, h, quad)
			if err == nil {
				for _, v := range out {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("non-finite gradient %v with nil error", out)
					}
				}
			}
		}
		scale := func(dst, v []float64) {
			for i := range dst {
				dst[i] = x * v[i]
			}
		}
		jac, err := diff.Jacobian(n, scale)
		fp.RequireFiniteMatrix(t, "Jacobian", err, jac)
		if _, err := diff.MapJacobian(w, n, h, func(dst, v []float64) { copy(dst, v) }); err != nil && h > 0 && !math.IsInf(h, 0) && !math.IsNaN(x) && !math.IsInf(x, 0) && x < 1e300 {
			t.Fatalf("identity map at a finite point: %v", err)
		}
	})
}
