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
		// As TestHessianMaxMany: the second differences' rounding is about 1e-7 |L| at e = 1e-4.
		if l0 := loss(0, 0); math.Abs(got-want) > 1e-6*(1+math.Abs(l0)+math.Abs(want)) {
			t.Fatalf("HessianMax %v, from the loss %v (haa %v hbb %v hab %v)", got, want, haa, hbb, hab)
		}
	})
}

// TestHessianMaxMany: at D = 3, H = 2 (12 weights) HessianMax matches the largest eigenvalue of
// the Hessian from second differences of Loss, which is independent of the weight indexing (a
// transposed index map is off by 0.4). Tolerance: the second differences' rounding is about
// 4 eps |L| / e^2 = 1e-7 |L| at e = 1e-4 and their truncation e^2 L^(4) / 12 ~ 1e-9; HessianMax's
// own is eps |grad| / 1e-6 ~ 1e-10: 1e-6 (1 + |L| + |want|) covers both.
func TestHessianMaxMany(t *testing.T) {
	p := Problem{Lambda: []float64{2, 0.7, 0.3}, Sigma2: 0.4, Gamma: 0.05}
	n := Net{W1: mat.NewDense(2, 3, []float64{0.3, -0.2, 0.5, 0.1, 0.4, -0.3}), W2: mat.NewDense(3, 2, []float64{0.2, 0.6, -0.4, 0.1, 0.3, 0.2})}
	got, err := HessianMax(p, n)
	if err != nil {
		t.Fatal(err)
	}
	w := append(append([]float64{}, n.W1.RawMatrix().Data...), n.W2.RawMatrix().Data...)
	loss := func(d map[int]float64) float64 {
		v := append([]float64{}, w...)
		for i, x := range d {
			v[i] += x
		}
		l, err := p.Loss(Net{W1: mat.NewDense(2, 3, v[:6]), W2: mat.NewDense(3, 2, v[6:])})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	const e = 1e-4
	hess := mat.NewSymDense(12, nil)
	l0 := loss(nil)
	for a := range 12 {
		for b := a; b < 12; b++ {
			if a == b {
				hess.SetSym(a, a, (loss(map[int]float64{a: e})-2*l0+loss(map[int]float64{a: -e}))/(e*e))
				continue
			}
			hess.SetSym(a, b, (loss(map[int]float64{a: e, b: e})-loss(map[int]float64{a: e, b: -e})-
				loss(map[int]float64{a: -e, b: e})+loss(map[int]float64{a: -e, b: -e}))/(4*e*e))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(hess, false) {
		t.Fatal("eigen-decomposition failed")
	}
	vals := es.Values(nil)
	want := vals[len(vals)-1]
	if math.Abs(got-want) > 1e-6*(1+math.Abs(l0)+math.Abs(want)) {
		t.Errorf("HessianMax %v, from the loss %v", got, want)
	}
}

// TestHessianMaxCopies: a net whose two layers are one matrix gives what a net of two copies of
// it gives: HessianMax differentiates a copy, so moving W1 does not move W2.
func TestHessianMaxCopies(t *testing.T) {
	p := Problem{Lambda: []float64{1.5}, Sigma2: 0.2}
	shared := mat.NewDense(1, 1, []float64{0.7})
	a, err1 := HessianMax(p, Net{W1: shared, W2: shared})
	b, err2 := HessianMax(p, Net{W1: mat.NewDense(1, 1, []float64{0.7}), W2: mat.NewDense(1, 1, []float64{0.7})})
	if err1 != nil || err2 != nil || a != b {
		t.Errorf("shared layers %v (%v), copies %v (%v)", a, err1, b, err2)
	}
}

// TestHessianMaxErrors: a net without layers, one that does not fit, too many weights and an
// invalid problem are errors.
func TestHessianMaxErrors(t *testing.T) {
	p := Problem{Lambda: []float64{1, 0.5}, Sigma2: 0.1}
	good := Net{W1: mat.NewDense(1, 2, []float64{0.1, 0.2}), W2: mat.NewDense(2, 1, []float64{0.3, 0.4})}
	if _, err := HessianMax(p, good); err != nil {
		t.Fatalf("a good net: %v", err)
	}
	big := Net{W1: mat.NewDense(1, 513, nil), W2: mat.NewDense(513, 1, nil)} // H <= D, 2 H D = 1026
	ones := make([]float64, 513)
	for i := range ones {
		ones[i] = 1
	}
	for name, c := range map[string]struct {
		p Problem
		n Net
	}{
		"no W2":            {p, Net{W1: good.W1}},
		"wrong D":          {Problem{Lambda: []float64{1, 0.5, 0.2}}, good},
		"bad problem":      {Problem{Lambda: []float64{math.NaN(), 1}}, good},
		"too large":        {Problem{Lambda: ones}, big},
		"too large, H = 2": {Problem{Lambda: ones[:257]}, Net{W1: mat.NewDense(2, 257, nil), W2: mat.NewDense(257, 2, nil)}}, // 2 H D = 1028
		"NaN weight":       {p, Net{W1: mat.NewDense(1, 2, []float64{math.NaN(), 0}), W2: good.W2}},
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
