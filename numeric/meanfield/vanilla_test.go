package meanfield_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"github.com/dlt5/verify/numeric/meanfield"
)

// TestFirstStep: from h_0 = 0 the first pre-activation is V x_1 + b, so Q_1 = Bias + Input +
// 2 b.(V x_1)/N exactly, and with orthogonal W later steps keep |W h| = sqrt(sw2) |h|.
func TestFirstStep(t *testing.T) {
	for _, orth := range []bool{false, true} {
		v := meanfield.Vanilla{N: 300, SW2: 1.5, SV2: 0.4, SB2: 0.2, Orthogonal: orth}
		steps, err := v.PreactivationVariance(4, 7)
		if err != nil {
			t.Fatal(err)
		}
		// Q_1 - Bias - Input is a cross term of mean 0 and SD 2 sqrt(sv2 sb2 / N) = 0.03.
		if d := steps[0].Q - steps[0].Bias - steps[0].Input; math.Abs(d) > 0.2 {
			t.Errorf("orthogonal=%v: Q_1 - Bias - Input = %v", orth, d)
		}
		for i, s := range steps {
			if !(s.Q > 0) || math.Abs(s.Bias-steps[0].Bias) > 0 {
				t.Errorf("orthogonal=%v step %d: %+v (the bias part is frozen)", orth, i+1, s)
			}
		}
	}
}

// TestDeterministic: a network depends on its seed only.
func TestDeterministic(t *testing.T) {
	v := meanfield.Vanilla{N: 50, SW2: 2, SV2: 0.1, SB2: 0.1}
	a := fp.Must(v.PreactivationVariance(5, 3))
	b := fp.Must(v.PreactivationVariance(5, 3))
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d differs between identical runs", i+1)
		}
	}
}

// TestBadInput: invalid networks and step counts are errors.
func TestBadInput(t *testing.T) {
	for name, v := range map[string]meanfield.Vanilla{"N = 0": {N: 0, SW2: 1}, "negative sw2": {N: 4, SW2: -1},
		"NaN sb2": {N: 4, SB2: math.NaN()}, "huge N": {N: meanfield.MaxN + 1}} {
		if _, err := v.PreactivationVariance(3, 1); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := (meanfield.Vanilla{N: 4, SW2: 1}).PreactivationVariance(0, 1); err == nil {
		t.Error("0 steps: no error")
	}
}

// FuzzVanilla: an error or finite moments (PreactivationVariance, Pair, JacobianMoments), never a
// panic.
func FuzzVanilla(f *testing.F) {
	f.Add(8, 1.0, 0.5, 0.1, false, 3)
	f.Add(8, 1e308, 1e308, 1e308, true, 3)
	f.Add(-1, math.NaN(), 0.5, 0.1, false, 0)
	f.Add(8, 2.0, 0.1, 0.0, false, 7)
	f.Fuzz(func(t *testing.T, n int, sw2, sv2, sb2 float64, orth bool, steps int) {
		v := meanfield.Vanilla{N: n % 64, SW2: sw2, SV2: sv2, SB2: sb2, Orthogonal: orth}
		v.DirectInput, v.Start, v.Seqs = steps%2 == 0, sb2, steps%5-1 // -1 is an error
		out, err := v.PreactivationVariance(steps%16, 1)
		for _, s := range out {
			fp.RequireFinite(t, "PreactivationVariance", err, s.Q, s.Bias, s.Input, s.Fresh, s.Jacobian, s.BWB, s.BW2B, s.BW3B, s.WB2)
		}
		pairs, err := v.Pair(steps%16, 1, orth, meanfield.PairStart(steps%3))
		for _, s := range pairs {
			fp.RequireFinite(t, "Pair", err, s.QA, s.QB, s.QAB, s.QD)
			if d, err := s.OneMinusC(); err == nil && (math.IsNaN(d) || math.IsInf(d, 0)) {
				t.Fatalf("OneMinusC = %v with a nil error for %+v", d, s)
			}
		}
		ms, err := v.JacobianMoments([]int{1 + steps%4}, 1+steps%3, steps%3-1, 1)
		for _, m := range ms {
			fp.RequireFinite(t, "JacobianMoments", err, m.M1, m.M2, m.C1, m.C2, m.Bias, m.BWB, m.Frozen)
		}
	})
}

// TestMinimalBadInput: invalid minimalRNNs and step counts are errors; a valid one gives Q_t in
// (0, R-ish) from h_0 = 0 (h_1 = (1 - u) z, so Q_1 < |z|^2/N).
func TestMinimalBadInput(t *testing.T) {
	for name, m := range map[string]meanfield.Minimal{"N = 0": {N: 0, R: 1}, "R = 0": {N: 4}, "negative sw": {N: 4, SW: -1, R: 1},
		"NaN mu_b": {N: 4, MuB: math.NaN(), R: 1}, "huge N": {N: meanfield.MaxN + 1, R: 1}} {
		if _, err := m.Trajectory(3, 1); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := (meanfield.Minimal{N: 4, R: 1}).Trajectory(0, 1); err == nil {
		t.Error("0 steps: no error")
	}
	for _, burn := range []int{-1, 1 << 21} {
		if _, _, err := (meanfield.Minimal{N: 4, R: 1}).Pair(burn, 3, 1); err == nil {
			t.Errorf("burn-in %d: no error", burn)
		}
	}
	q, err := (meanfield.Minimal{N: 200, MuB: 0, SW: 1, SV: 1, R: 1, Annealed: true}).Trajectory(5, 2)
	if err != nil || !(q[0].Q > 0 && q[0].Q < 1.5) {
		t.Errorf("Q = %v (%v)", q, err)
	}
}

// FuzzMinimal: an error or finite moments (Trajectory, Pair), never a panic.
func FuzzMinimal(f *testing.F) {
	f.Add(8, 2.0, 3.0, 1.0, 0.0, 1.0, true, 3)
	f.Add(8, 1e308, 1e308, 1e308, 1e308, 1e308, false, 3)
	f.Add(-1, math.NaN(), 1.0, 1.0, 1.0, 0.0, false, 0)
	f.Fuzz(func(t *testing.T, n int, mu, sw, sv, sb, r float64, ann bool, steps int) {
		m := meanfield.Minimal{N: n % 64, MuB: mu, SW: sw, SV: sv, SB: sb, R: r, Annealed: ann}
		q, err := m.Trajectory(steps%16, 1)
		for _, s := range q {
			fp.RequireFinite(t, "Trajectory", err, s.Q, s.Jacobian)
		}
		qab, q0, err := m.Pair(steps%5, steps%16, 1)
		fp.RequireFinite(t, "Pair", err, append(qab, q0)...)
	})
}

// TestPairEdges: 1 - c is an error for a zero state, and 0 for two equal ones; the minimalRNN's
// Pair without burn-in reports its start's second moment; JacobianMoments refuses a trajectory
// beyond MaxTrajectory before allocating it.
func TestPairEdges(t *testing.T) {
	if _, err := (meanfield.PairStep{QA: 0, QB: 1, QD: 1}).OneMinusC(); err == nil {
		t.Error("OneMinusC with QA = 0: no error")
	}
	if d := fp.Must((meanfield.PairStep{QA: 2, QB: 2, QAB: 2}).OneMinusC()); d != 0 {
		t.Errorf("equal states: 1 - c = %v", d)
	}
	_, q0, err := (meanfield.Minimal{N: 400, MuB: 1, SW: 1, SV: 1, R: 1, Start: 0.5}).Pair(0, 2, 3)
	if err != nil || math.Abs(q0-0.5) > 0.2 {
		t.Errorf("Pair without burn-in: q0 = %v (start 0.5), %v", q0, err)
	}
	big := meanfield.Vanilla{N: meanfield.MaxN, SW2: 1}
	if _, err := big.JacobianMoments([]int{meanfield.MaxTrajectory/meanfield.MaxN + 1}, 1, 0, 1); err == nil {
		t.Error("a trajectory beyond MaxTrajectory: no error")
	}
}

// TestOneMinusCBadInput: a NaN, infinite or negative moment is an error, never a NaN with a nil
// error (PairStep{QD: NaN} returned NaN before).
func TestOneMinusCBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, p := range []meanfield.PairStep{{QA: 1, QB: 1, QD: nan}, {QA: 1, QB: 1, QD: inf}, {QA: 1, QB: 1, QD: -1},
		{QA: nan, QB: 1}, {QA: 1, QB: inf, QD: 1}, {QA: inf, QB: inf, QD: 1}, {QA: 1e-320, QB: 1e300, QD: 1e300}} {
		if d, err := p.OneMinusC(); err == nil && (math.IsNaN(d) || math.IsInf(d, 0)) {
			t.Errorf("%+v: 1 - c = %v with a nil error", p, d)
		} else if err == nil && p.QD != 1e300 {
			t.Errorf("%+v: no error (1 - c = %v)", p, d)
		}
	}
	if d, err := (meanfield.PairStep{QA: 1, QB: 4, QD: 1}).OneMinusC(); err != nil || d != 0 {
		t.Errorf("aligned states of norms 1 and 2: 1 - c = %v, %v", d, err)
	}
}

// FuzzOneMinusC: an error or a finite 1 - c, never a panic or a NaN with a nil error.
func FuzzOneMinusC(f *testing.F) {
	f.Add(1.0, 1.0, 1.0, math.NaN())
	f.Add(1.0, 4.0, 0.0, 1.0)
	f.Add(1e-320, 1e300, 0.0, 1e300)
	f.Add(math.Inf(1), 1.0, 0.0, 1.0)
	f.Add(2.0, 2.0, 2.0, 0.0)
	f.Fuzz(func(t *testing.T, qa, qb, qab, qd float64) {
		p := meanfield.PairStep{QA: qa, QB: qb, QAB: qab, QD: qd}
		d, err := p.OneMinusC()
		if err == nil && (math.IsNaN(d) || math.IsInf(d, 0)) {
			t.Fatalf("%+v: 1 - c = %v with a nil error", p, d)
		}
	})
}

// TestBiasControls: the persistent-state control variates have their exact means, b.Wb/N =
// b.W^3b/N = 0, b.W^2b/N = sw2 sb2/N and |Wb|^2/N = sw2 sb2, over 3000 networks of width 8 (where
// E[tr W^2] = sw2 is far from the E[|W b|^2] = sw2 N sb2 a mistaken transpose would give),
// Gaussian and orthogonal W.
func TestBiasControls(t *testing.T) {
	for _, orth := range []bool{false, true} {
		v := meanfield.Vanilla{N: 8, SW2: 1.7, SB2: 0.6, Orthogonal: orth, DirectInput: true}
		const nets = 3000
		var s, ss [4]float64
		for i := range nets {
			st, err := v.PreactivationVariance(1, uint64(i))
			if err != nil {
				t.Fatal(err)
			}
			for k, x := range []float64{st[0].BWB, st[0].BW2B, st[0].BW3B, st[0].WB2} {
				s[k], ss[k] = s[k]+x, ss[k]+x*x
			}
		}
		for k, want := range []float64{0, v.SW2 * v.SB2 / 8, 0, v.SW2 * v.SB2} {
			m := s[k] / nets
			se := math.Sqrt((ss[k]/nets - m*m) / nets)
			if math.Abs(m-want) > 6*se {
				t.Errorf("orthogonal=%v control %d: mean %.5g +- %.2g, exact %.5g", orth, k, m, se, want)
			}
		}
	}
}

// TestPairCommonRandomNumbers: runs from Together and from Independent with one seed share the
// network, b's start and every input (b's moments agree exactly at every step), a's start differs
// (c_1 < 1 only for Independent), both report the network's |b|^2/N, and an unknown start errs.
func TestPairCommonRandomNumbers(t *testing.T) {
	v := meanfield.Vanilla{N: 50, SW2: 1.5, SV2: 0.2, SB2: 0.3, Start: 0.8, DirectInput: true, Seqs: 3}
	a, err1 := v.Pair(4, 9, false, meanfield.Together)
	b, err2 := v.Pair(4, 9, false, meanfield.Independent)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for i := range a {
		if a[i].QB != b[i].QB || a[i].Bias != b[i].Bias || !(a[i].Bias > 0) {
			t.Fatalf("step %d: b's moments %v and %v, bias %v and %v: not common", i+1, a[i].QB, b[i].QB, a[i].Bias, b[i].Bias)
		}
	}
	if a[0].QA == b[0].QA {
		t.Fatalf("a's start did not change: QA %v", a[0].QA)
	}
	if _, err := v.Pair(4, 9, false, meanfield.PairStart(7)); err == nil {
		t.Fatal("an unknown start gave no error")
	}
}

// FuzzPairApart: an error or finite cross moments, never a panic; Start = 0 without a burn-in and
// an annealed burn-in are errors.
func FuzzPairApart(f *testing.F) {
	f.Add(8, 2.0, 3.0, 1.0, 0.0, 1.0, 0.5, true, 0, 3)
	f.Add(8, 2.0, 3.0, 1.0, 0.0, 1.0, 0.0, false, 4, 3)
	f.Add(8, 1e308, 1e308, 1e308, 1e308, 1e308, 1e308, false, 2, 3)
	f.Add(-1, math.NaN(), 1.0, 1.0, 1.0, 0.0, math.Inf(1), false, 0, 0)
	f.Fuzz(func(t *testing.T, n int, mu, sw, sv, sb, r, start float64, ann bool, burn, steps int) {
		m := meanfield.Minimal{N: n % 64, MuB: mu, SW: sw, SV: sv, SB: sb, R: r, Start: start, Annealed: ann}
		qab, err := m.PairApart(burn%8, steps%16, 1)
		fp.RequireFinite(t, "PairApart", err, qab...)
		if err == nil && ((!(start > 0) && burn%8 == 0) || (ann && burn%8 != 0)) {
			t.Fatalf("%+v burn %d: no error", m, burn%8)
		}
	})
}

// TestPairApartCommonRandomNumbers: an annealed PairApart run shares Pair's fields and inputs (its
// cross moment at t = 1 is near 0 while Pair's is near the recursion's), and a tied one with a
// burn-in differs from Pair only through b's burn-in.
func TestPairApartCommonRandomNumbers(t *testing.T) {
	m := meanfield.Minimal{N: 2000, MuB: 2, SW: 1, SV: 1, SB: 1, R: 1, Start: 0.24, Annealed: true}
	same, _, err1 := m.Pair(0, 2, 5)
	apart, err2 := m.PairApart(0, 2, 5)
	if err1 != nil || err2 != nil || !(same[0] > 0.1) || !(math.Abs(apart[0]) < 0.03) {
		t.Fatalf("annealed: Pair %v, PairApart %v (%v %v)", same, apart, err1, err2)
	}
	m.Annealed = false
	m.N = 200
	apart, err := m.PairApart(20, 2, 5)
	if err != nil || !(math.Abs(apart[0]) < 0.1) {
		t.Fatalf("tied after a burn-in apart: Q^ab_1 = %v, %v", apart, err)
	}
}

// TestRunPrefix: a run's first t steps are the t-step run, bit for bit (the draws come in the
// same order: the network, the starts, then each step's inputs), for PreactivationVariance and
// every kind of Pair, Gaussian and orthogonal W, with and without V, one and several sequences.
// props reads shorter runs from longer ones on this property (prefixed).
func TestRunPrefix(t *testing.T) {
	for _, v := range []meanfield.Vanilla{
		{N: 12, SW2: 1.5, SV2: 0.2, SB2: 0.1, Start: 0.5},
		{N: 12, SW2: 0.7, SV2: 0.2, SB2: 0.1, Start: 0.5, Orthogonal: true, Seqs: 3},
		{N: 9, SW2: 2, SV2: 0.3, SB2: 0.2, DirectInput: true, Seqs: 2},
	} {
		long, err1 := v.PreactivationVariance(7, 5)
		short, err2 := v.PreactivationVariance(2, 5)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !reflect.DeepEqual(long[:2], short) {
			t.Errorf("%+v: PreactivationVariance(2) = %v, not the first steps of PreactivationVariance(7) %v", v, short, long[:2])
		}
		for _, identical := range []bool{false, true} {
			for _, from := range []meanfield.PairStart{meanfield.Apart, meanfield.Together, meanfield.Independent} {
				long, err1 := v.Pair(7, 5, identical, from)
				short, err2 := v.Pair(2, 5, identical, from)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if !reflect.DeepEqual(long[:2], short) {
					t.Errorf("%+v identical %v from %d: Pair(2) is not the first steps of Pair(7)", v, identical, from)
				}
			}
		}
	}
}
