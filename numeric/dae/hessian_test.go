package dae

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// TestHessianMaxByLoss: in D = H = 1 the Hessian is 2 x 2; HessianMax's largest eigenvalue
// matches the one of the Hessian from second differences of Loss itself (not of the gradient),
// and the caller's net is left as it was.
func TestHessianMaxByLoss(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := Problem{Lambda: []float64{rapid.Float64Range(0.1, 3).Draw(t, "lambda")},
			Sigma2: rapid.Float64Range(0, 1).Draw(t, "sigma2"), Gamma: rapid.Float64Range(0, 0.5).Draw(t, "gamma")}
		w := []float64{rapid.Float64Range(-2, 2).Draw(t, "w1"), rapid.Float64Range(-2, 2).Draw(t, "w2")}
		net := func(w []float64) Net {
			return Net{W1: mat.NewDense(1, 1, []float64{w[0]}), W2: mat.NewDense(1, 1, []float64{w[1]})}
		}
		n := net(w)
		got, err := HessianMax(p, n)
		if err != nil {
			t.Fatal(err)
		}
		if n.W1.At(0, 0) != w[0] || n.W2.At(0, 0) != w[1] {
			t.Fatalf("the net changed: %v %v", n.W1.At(0, 0), n.W2.At(0, 0))
		}
		loss := func(d0, d1 float64) float64 {
			l, err := p.Loss(net([]float64{w[0] + d0, w[1] + d1}))
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		const e = 1e-4
		haa := (loss(e, 0) - 2*loss(0, 0) + loss(-e, 0)) / (e * e)
		hbb := (loss(0, e) - 2*loss(0, 0) + loss(0, -e)) / (e * e)
		hab := (loss(e, e) - loss(e, -e) - loss(-e, e) + loss(-e, -e)) / (4 * e * e)
		want := (haa+hbb)/2 + math.Sqrt((haa-hbb)*(haa-hbb)/4+hab*hab)
		if math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
			t.Fatalf("HessianMax %v, from the loss %v (haa %v hbb %v hab %v)", got, want, haa, hbb, hab)
		}
	})
}

// TestHessianMaxErrors: a net without layers, one that does not fit, too many weights and an
// invalid problem are errors.
func TestHessianMaxErrors(t *testing.T) {
	p := Problem{Lambda: []float64{1, 0.5}, Sigma2: 0.1}
	good := Net{W1: mat.NewDense(1, 2, []float64{0.1, 0.2}), W2: mat.NewDense(2, 1, []float64{0.3, 0.4})}
	if _, err := HessianMax(p, good); err != nil {
		t.Fatalf("a good net: %v", err)
	}
	big := Net{W1: mat.NewDense(32, 17, nil), W2: mat.NewDense(17, 32, nil)}
	for name, c := range map[string]struct {
		p Problem
		n Net
	}{
		"no W2":       {p, Net{W1: good.W1}},
		"wrong D":     {Problem{Lambda: []float64{1, 0.5, 0.2}}, good},
		"bad problem": {Problem{Lambda: []float64{math.NaN(), 1}}, good},
		"too large":   {Problem{Lambda: make([]float64, 17)}, big},
		"NaN weight":  {p, Net{W1: mat.NewDense(1, 2, []float64{math.NaN(), 0}), W2: good.W2}},
	} {
		if _, err := HessianMax(c.p, c.n); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzHessianMax: any small problem and net give an error or a finite eigenvalue, never a panic.
func FuzzHessianMax(f *testing.F) {
	f.Add(1.0, 0.5, 0.1, 0.0, 0.1, 0.2, 0.3, 0.4)
	f.Add(1e300, 0.5, 0.1, 0.0, 1e200, 0.2, 0.3, 1e200)
	f.Add(-1.0, 0.5, 0.1, 0.0, 0.1, 0.2, 0.3, 0.4)
	f.Fuzz(func(t *testing.T, l1, l2, s2, gam, a, b, c, d float64) {
		n := Net{W1: mat.NewDense(1, 2, []float64{a, b}), W2: mat.NewDense(2, 1, []float64{c, d})}
		v, err := HessianMax(Problem{Lambda: []float64{l1, l2}, Sigma2: s2, Gamma: gam}, n)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("HessianMax = %v without an error", v)
		}
	})
}
