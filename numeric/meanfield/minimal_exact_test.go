package meanfield

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// refTiedStep takes h one step with input z through the weights w, v (n x n row-major) and b,
// with plain loops, and returns the step's moments. The Jacobian is the dense matrix
// dh_t/dh_{t-1} = diag(u) + diag(u (1 - u) (h - z)) W summed entry by entry, u = 1/(1 + e^-e),
// and the update is h_t = z + u (h - z).
func refTiedStep(w, v, b, h, z []float64) MinimalStep {
	n := len(h)
	nf := float64(n)
	var st MinimalStep
	next := make([]float64, n)
	for i := range n {
		e := b[i]
		for j := range n {
			e += w[i*n+j]*h[j] + v[i*n+j]*z[j]
		}
		u := 1 / (1 + math.Exp(-e))
		for j := range n {
			jij := u * (1 - u) * (h[i] - z[i]) * w[i*n+j]
			if i == j {
				jij += u
			}
			st.Jacobian += jij * jij / nf
		}
		gateUnit(&st, next, h, z, i, u)
	}
	finishStep(&st, h, next)
	return st
}

// gateUnit sets unit i's update next_i = z_i + u (h_i - z_i) and adds its z_i^2 and h_i z_i to
// the step's means.
func gateUnit(st *MinimalStep, next, h, z []float64, i int, u float64) {
	nf := float64(len(h))
	next[i] = z[i] + u*(h[i]-z[i])
	st.Z += z[i] * z[i] / nf
	st.HZ += h[i] * z[i] / nf
}

// finishStep moves h to next and sets the step's Q, the new state's mean square.
func finishStep(st *MinimalStep, h, next []float64) {
	copy(h, next)
	for _, x := range h {
		st.Q += x * x / float64(len(h))
	}
}

// unit returns x/|x| and |x| (the zero vector and 0 when x = 0).
func unit(x []float64) ([]float64, float64) {
	var s float64
	for _, y := range x {
		s += y * y
	}
	out := make([]float64, len(x))
	if s == 0 {
		return out, 0
	}
	r := math.Sqrt(s)
	for i, y := range x {
		out[i] = y / r
	}
	return out, r
}

// refFieldStep takes h one step with input z under fresh annealed weights, from the conditional
// law of a row of W given its field: with p = h/|h|, W_i = sw (a_i p + P xi), P = I - p p^T the
// projector off h (p = 0 and P = I at h = 0), xi ~ N(0, I) independent of a_i; likewise V_i
// given c_i along z/|z|. The gate is e_i = W_i.h + V_i.z + b_i through the explicit mean rows
// (the P part is orthogonal to h), and E[|J_i|^2 | a_i] = |u_i delta_i + g_i sw a_i p|^2 +
// g_i^2 sw^2 tr P: the squared norm of the row's conditional mean plus the trace of its
// covariance. a_i, c_i and b_i's normal are drawn from rng unit by unit (Minimal's order).
func refFieldStep(rng *rand.Rand, m Minimal, h, z []float64) MinimalStep {
	n := len(h)
	nf := float64(n)
	sw, sv := m.SW/math.Sqrt(nf), m.SV/math.Sqrt(nf)
	ph, _ := unit(h)
	pz, _ := unit(z)
	var trP float64
	for j := range n {
		trP += 1 - ph[j]*ph[j]
	}
	var st MinimalStep
	next := make([]float64, n)
	for i := range n {
		a, c, beta := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		e := m.MuB + m.SB*beta
		for j := range n {
			e += sw*a*ph[j]*h[j] + sv*c*pz[j]*z[j]
		}
		u := 1 / (1 + math.Exp(-e))
		g := u * (1 - u) * (h[i] - z[i])
		var row float64
		for j := range n {
			r := g * sw * a * ph[j]
			if i == j {
				r += u
			}
			row += r * r
		}
		st.Jacobian += (row + g*g*sw*sw*trP) / nf
		gateUnit(&st, next, h, z, i, u)
	}
	finishStep(&st, h, next)
	return st
}

// refFieldPairStep takes two copies one step under fresh annealed weights they share: row i of W
// given its two fields is sw (a1 q1 + a2 q2) plus a part orthogonal to both states, q1, q2 the
// Gram-Schmidt basis of span(h^a, h^b) (q2 = 0 when h^b lies along h^a), and likewise V_i's
// along z^a, z^b; b_i shared. Draws a1, a2, c1, c2 and b_i's normal unit by unit.
func refFieldPairStep(rng *rand.Rand, m Minimal, ha, hb, za, zb []float64) {
	n := len(ha)
	sw, sv := m.SW/math.Sqrt(float64(n)), m.SV/math.Sqrt(float64(n))
	basis := func(x, y []float64) ([]float64, []float64) {
		q1, _ := unit(x)
		var c float64
		for j := range x {
			c += y[j] * q1[j]
		}
		r := make([]float64, len(y))
		for j := range y {
			r[j] = y[j] - c*q1[j]
		}
		q2, nr := unit(r)
		if _, ny := unit(y); nr <= 1e-12*ny {
			clear(q2) // y along x: no second direction
		}
		return q1, q2
	}
	h1, h2 := basis(ha, hb)
	z1, z2 := basis(za, zb)
	na, nb := make([]float64, n), make([]float64, n)
	for i := range n {
		a1, a2, c1, c2 := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		b := m.MuB + m.SB*rng.NormFloat64()
		ea, eb := b, b
		for j := range n {
			wj, vj := sw*(a1*h1[j]+a2*h2[j]), sv*(c1*z1[j]+c2*z2[j])
			ea += wj*ha[j] + vj*za[j]
			eb += wj*hb[j] + vj*zb[j]
		}
		ua, ub := 1/(1+math.Exp(-ea)), 1/(1+math.Exp(-eb))
		na[i], nb[i] = za[i]+ua*(ha[i]-za[i]), zb[i]+ub*(hb[i]-zb[i])
	}
	copy(ha, na)
	copy(hb, nb)
}

// refMinimal holds a minimalRNN's reference simulation: its stream and, for drawn weights, W, V
// and b drawn in Minimal's order.
type refMinimal struct {
	m       Minimal
	rng     *rand.Rand
	field   bool // annealed weights through refFieldStep
	w, v, b []float64
}

func newRefMinimal(m Minimal, seed uint64, dense bool) *refMinimal {
	r := &refMinimal{m: m, rng: rand.New(rand.NewPCG(seed, 0)), field: m.Annealed && !dense,
		w: make([]float64, m.N*m.N), v: make([]float64, m.N*m.N), b: make([]float64, m.N)}
	if !r.field {
		r.draw()
	}
	return r
}

func (r *refMinimal) draw() {
	n := float64(r.m.N)
	gaussian(r.rng, r.w, r.m.SW*r.m.SW/n)
	gaussian(r.rng, r.v, r.m.SV*r.m.SV/n)
	gaussian(r.rng, r.b, r.m.SB*r.m.SB)
	for i := range r.b {
		r.b[i] += r.m.MuB
	}
}

// step takes h one step with input z.
func (r *refMinimal) step(h, z []float64) MinimalStep {
	if r.field {
		return refFieldStep(r.rng, r.m, h, z)
	}
	return refTiedStep(r.w, r.v, r.b, h, z)
}

// TestMinimalTrajectoryLoops: every field of Trajectory's steps equals the reference simulation
// (1e-12): tied weights from a random start and from h_0 = 0, annealed weights drawn as N x N
// matrices (redrawn every step after the first), and annealed weights through their fields,
// from a random start and from h_0 = 0 (where W_i is independent of its field).
func TestMinimalTrajectoryLoops(t *testing.T) {
	const steps, seed = 3, 31
	for _, c := range []struct {
		m     Minimal
		dense bool
	}{
		{Minimal{N: 3, MuB: 0.5, SW: 1.5, SV: 0.8, SB: 0.6, R: 1.3, Start: 0.4}, false},
		{Minimal{N: 3, MuB: -0.3, SW: 1.2, SV: 1, SB: 0.4, R: 0.7}, false},
		{Minimal{N: 3, MuB: 0.2, SW: 1.4, SV: 0.9, SB: 0.5, R: 1, Start: 0.6, Annealed: true}, true},
		{Minimal{N: 3, MuB: 0.4, SW: 1.6, SV: 0.7, SB: 0.5, R: 1.2, Start: 0.6, Annealed: true}, false},
		{Minimal{N: 2, MuB: -0.5, SW: 2, SV: 1.1, SB: 0.3, R: 0.8, Annealed: true}, false},
	} {
		got, err := c.m.trajectory(steps, seed, c.dense)
		if err != nil {
			t.Fatal(err)
		}
		r := newRefMinimal(c.m, seed, c.dense)
		h, z := make([]float64, c.m.N), make([]float64, c.m.N)
		if c.m.Start > 0 {
			gaussian(r.rng, h, c.m.Start)
		}
		for st := range steps {
			if c.m.Annealed && c.dense && st > 0 {
				r.draw()
			}
			gaussian(r.rng, z, c.m.R)
			want, g := r.step(h, z), got[st]
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"Q", g.Q, want.Q}, {"Jacobian", g.Jacobian, want.Jacobian}, {"Z", g.Z, want.Z}, {"HZ", g.HZ, want.HZ}} {
				if !near(f.got, f.want, 1e-12) {
					t.Errorf("%+v dense=%v step %d: %s = %.15g, loops give %.15g", c.m, c.dense, st+1, f.name, f.got, f.want)
				}
			}
		}
	}
}

// refMinimalPair is the reference of pair: the burn-in (identical inputs, or b's start and
// inputs from PCG(seed, 1) when apart), the second moment q0 of a's state after it (of the start
// without one), then steps steps with independent inputs and each step's h^a.h^b/N.
func refMinimalPair(m Minimal, burn, steps int, seed uint64, dense, apart bool) ([]float64, float64) {
	r := newRefMinimal(m, seed, dense)
	other := rand.New(rand.NewPCG(seed, 1))
	n := m.N
	ha, hb, za, zb := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	if m.Start > 0 {
		gaussian(r.rng, ha, m.Start)
		copy(hb, ha)
		if apart {
			gaussian(other, hb, m.Start)
		}
	}
	redraw := func(t int) {
		if m.Annealed && !r.field && t > 0 {
			r.draw()
		}
	}
	for t := range burn {
		redraw(t)
		gaussian(r.rng, za, m.R)
		if apart {
			gaussian(other, zb, m.R)
		} else {
			copy(zb, za)
		}
		if r.field { // one state
			refFieldStep(r.rng, m, ha, za)
			copy(hb, ha)
		} else {
			refTiedStep(r.w, r.v, r.b, ha, za)
			refTiedStep(r.w, r.v, r.b, hb, zb)
		}
	}
	var q0 float64
	for _, x := range ha {
		q0 += x * x / float64(n)
	}
	qab := make([]float64, steps)
	for t := range steps {
		redraw(burn + t)
		gaussian(r.rng, za, m.R)
		gaussian(r.rng, zb, m.R)
		if r.field {
			refFieldPairStep(r.rng, m, ha, hb, za, zb)
		} else {
			refTiedStep(r.w, r.v, r.b, ha, za)
			refTiedStep(r.w, r.v, r.b, hb, zb)
		}
		for i := range n {
			qab[t] += ha[i] * hb[i] / float64(n)
		}
	}
	return qab, q0
}

// TestMinimalPairLoops: Pair's and PairApart's cross moments and Pair's q0 equal refMinimalPair:
// tied weights with and without a burn-in, from a random start and from h_0 = 0, annealed
// weights drawn as matrices, and annealed weights through their fields (PairApart, and Pair
// from h_0 = 0: to 1e-12; Pair from one random state to 1e-7, since where the copies coincide
// cholesky2's l22 is the square root of a rounding-size difference, a 1e-8 relative
// perturbation of b's field that the Gram-Schmidt reference does not make).
func TestMinimalPairLoops(t *testing.T) {
	const steps, seed = 3, 41
	tied := Minimal{N: 3, MuB: 0.3, SW: 1.4, SV: 0.9, SB: 0.6, R: 1.1, Start: 0.5}
	tied0 := Minimal{N: 3, MuB: -0.2, SW: 1.7, SV: 0.8, SB: 0.4, R: 0.9}
	ann := Minimal{N: 3, MuB: 0.6, SW: 1.5, SV: 1, SB: 0.5, R: 1.2, Start: 0.5, Annealed: true}
	ann0 := ann
	ann0.Start = 0
	for _, c := range []struct {
		m            Minimal
		burn         int
		dense, apart bool
		tol          float64
	}{
		{tied, 2, false, false, 1e-12}, {tied, 0, false, false, 1e-12}, {tied0, 2, false, false, 1e-12},
		{tied, 2, false, true, 1e-12}, {tied, 0, false, true, 1e-12}, {tied0, 3, false, true, 1e-12},
		{ann, 0, true, false, 1e-12}, {ann, 2, true, false, 1e-12},
		{ann, 0, false, true, 1e-12}, {ann0, 0, false, false, 1e-12}, {ann, 0, false, false, 1e-7}, {ann, 2, false, false, 1e-7},
	} {
		var got []float64
		var q0 float64
		var err error
		switch {
		case c.dense:
			got, q0, err = c.m.pair(c.burn, steps, seed, true, false)
		case c.apart:
			got, err = c.m.PairApart(c.burn, steps, seed)
		default:
			got, q0, err = c.m.Pair(c.burn, steps, seed)
		}
		if err != nil {
			t.Fatalf("%+v burn %d: %v", c.m, c.burn, err)
		}
		want, wq0 := refMinimalPair(c.m, c.burn, steps, seed, c.dense, c.apart)
		if !c.apart && !near(q0, wq0, 1e-12) {
			t.Errorf("%+v burn %d dense=%v: q0 = %.15g, loops give %.15g", c.m, c.burn, c.dense, q0, wq0)
		}
		for i := range steps {
			if !near(got[i], want[i], c.tol) {
				t.Errorf("%+v burn %d dense=%v apart=%v: Q^ab_%d = %.15g, loops give %.15g", c.m, c.burn, c.dense, c.apart, i+1, got[i], want[i])
			}
		}
	}
}

// TestCholesky2: hand cases of the 2 x 2 Cholesky factor ([[4, 2], [2, 5]] = L L^T with L =
// [[2, 0], [1, 2]], [[4, 4], [4, 5]] with [[2, 0], [2, 1]], [[1, 2], [2, 4]] singular: l22 = 0,
// and aa = 0: l11 = l21 = 0, l22 = sqrt(bb)), and L L^T = G to 1e-14 for the Gram matrices of
// random pairs of vectors.
func TestCholesky2(t *testing.T) {
	for _, c := range [][6]float64{{4, 2, 5, 2, 1, 2}, {4, 4, 5, 2, 2, 1}, {1, 2, 4, 1, 2, 0}, {0, 0, 3, 0, 0, math.Sqrt(3)}, {9, -3, 2, 3, -1, 1}} {
		l11, l21, l22 := cholesky2(c[0], c[1], c[2])
		if l11 != c[3] || l21 != c[4] || l22 != c[5] {
			t.Errorf("cholesky2(%v, %v, %v) = %v, %v, %v; want %v, %v, %v", c[0], c[1], c[2], l11, l21, l22, c[3], c[4], c[5])
		}
	}
	rng := rand.New(rand.NewPCG(8, 9))
	for range 20 {
		x, y := make([]float64, 4), make([]float64, 4)
		gaussian(rng, x, 1)
		gaussian(rng, y, 2)
		aa, ab, bb := dot(x, x), dot(x, y), dot(y, y)
		l11, l21, l22 := cholesky2(aa, ab, bb)
		if !near(l11*l11, aa, 1e-14) || !near(l11*l21, ab, 1e-14) || !near(l21*l21+l22*l22, bb, 1e-14) || l11 < 0 || l22 < 0 {
			t.Errorf("Gram %v %v %v: L = %v %v %v", aa, ab, bb, l11, l21, l22)
		}
	}
}

// TestMinimalArguments: PairApart needs Start > 0 or a burn-in (Start = 0 with burn 0 is an
// error, Start = 0 with burn 1 and a tiny Start with burn 0 are not) and refuses an annealed
// burn-in; Pair's burn-in is admitted in [0, 2^20] and refused just outside.
func TestMinimalArguments(t *testing.T) {
	for _, c := range []struct {
		m    Minimal
		burn int
		ok   bool
	}{
		{Minimal{N: 2, SW: 1, SV: 1, R: 1}, 0, false},
		{Minimal{N: 2, SW: 1, SV: 1, R: 1}, 1, true},
		{Minimal{N: 2, SW: 1, SV: 1, R: 1, Start: 1e-300}, 0, true},
		{Minimal{N: 2, SW: 1, SV: 1, R: 1, Start: 0.5, Annealed: true}, 0, true},
		{Minimal{N: 2, SW: 1, SV: 1, R: 1, Start: 0.5, Annealed: true}, 1, false},
	} {
		if _, err := c.m.PairApart(c.burn, 2, 1); (err == nil) != c.ok {
			t.Errorf("PairApart %+v burn %d: %v", c.m, c.burn, err)
		}
	}
	m := Minimal{N: 1, R: 1}
	for _, c := range []struct {
		burn int
		ok   bool
	}{{-1, false}, {0, true}, {maxSteps, true}, {maxSteps + 1, false}} {
		if _, _, err := m.Pair(c.burn, 1, 1); (err == nil) != c.ok {
			t.Errorf("Pair with burn-in %d: %v", c.burn, err)
		}
	}
}

// TestNotFiniteErrors: a state that overflows is an error naming the step, 1 here (inputs of
// variance 1.7e308 with a zero gate field, so u = 1/2 and both |h_1|^2/N and the Jacobian's
// (u' z)^2 |W_i|^2 term are +Inf; a start at that variance for Pair; a bias of variance 1e308
// for the vanilla network's moments).
func TestNotFiniteErrors(t *testing.T) {
	huge := Minimal{N: 32, SW: 10, R: 1.7e308}
	_, err := huge.Trajectory(2, 1)
	if err == nil || !strings.Contains(err.Error(), "step 1 ") {
		t.Errorf("Trajectory with R = 1.7e308: %v", err)
	}
	_, _, err = Minimal{N: 32, R: 1, Start: 1.7e308}.Pair(0, 2, 1)
	if err == nil || !strings.Contains(err.Error(), "step 1 ") {
		t.Errorf("Pair from Start = 1.7e308: %v", err)
	}
	v := Vanilla{N: 16, SW2: 1, SB2: 1e308}
	_, err = v.PreactivationVariance(2, 1)
	if err == nil || !strings.Contains(err.Error(), "step 1 ") {
		t.Errorf("PreactivationVariance with SB2 = 1e308: %v", err)
	}
	_, err = v.Pair(2, 1, false, Together)
	if err == nil || !strings.Contains(err.Error(), "step 1 ") {
		t.Errorf("Pair with SB2 = 1e308: %v", err)
	}
}

// TestSigmoidPrime: u' = u (1 - u) with u = 1/(1 + e^-x) where that keeps its digits (|x| <= 2),
// and e^-|x| (1 - 2 e^-|x|) to 1e-15 in the tails, finite down to exp's underflow (|x| = 710:
// 4.5e-309) and 0 beyond it (never NaN).
func TestSigmoidPrime(t *testing.T) {
	for _, x := range []float64{0, 0.3, -1.1, 2, -2} {
		u := 1 / (1 + math.Exp(-x))
		if want := u * (1 - u); !near(sigmoidPrime(x), want, 1e-14) {
			t.Errorf("sigmoidPrime(%v) = %v, u (1 - u) = %v", x, sigmoidPrime(x), want)
		}
	}
	for _, x := range []float64{40, -40, 300, -700, 710, -720} {
		e := math.Exp(-math.Abs(x))
		if want := e * (1 - 2*e); !(math.Abs(sigmoidPrime(x)-want) <= 1e-15*want) {
			t.Errorf("sigmoidPrime(%v) = %v, want %v", x, sigmoidPrime(x), want)
		}
	}
	for _, x := range []float64{800, -1e300, math.Inf(1)} {
		if d := sigmoidPrime(x); d != 0 {
			t.Errorf("sigmoidPrime(%v) = %v, want 0", x, d)
		}
	}
}
