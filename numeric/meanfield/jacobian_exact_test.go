package meanfield

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// inverse returns the inverse of the n x n row-major matrix a by Gauss-Jordan elimination with
// partial pivoting.
func inverse(a []float64, n int) []float64 {
	m := append([]float64(nil), a...)
	inv := make([]float64, n*n)
	for i := range n {
		inv[i*n+i] = 1
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r*n+c]) > math.Abs(m[p*n+c]) {
				p = r
			}
		}
		for j := range n {
			m[c*n+j], m[p*n+j] = m[p*n+j], m[c*n+j]
			inv[c*n+j], inv[p*n+j] = inv[p*n+j], inv[c*n+j]
		}
		piv := m[c*n+c]
		for j := range n {
			m[c*n+j] /= piv
			inv[c*n+j] /= piv
		}
		for r := range n {
			if f := m[r*n+c]; r != c {
				for j := range n {
					m[r*n+j] -= f * m[c*n+j]
					inv[r*n+j] -= f * inv[c*n+j]
				}
			}
		}
	}
	return inv
}

// rademacher draws one +-1 from rng, the low bit of one Uint64 (1 is +1).
func rademacher(rng *rand.Rand) float64 {
	if rng.Uint64()&1 == 1 {
		return 1
	}
	return -1
}

// refJacobianMoments recomputes JacobianMoments with plain loops from the documented draw order
// (the network, the starts, each step's inputs, each T's probes row by row, Frozen's probes unit
// by unit): the trajectories unit by unit with tanh' = 1 - tanh^2, the dense T-step Jacobian
// D_T W ... D_1 W and |J^T v|^2, |J J^T v|^2 from it, r_t as the variance of tanh'^2 over the
// units over its squared mean (two passes), and (I - aW)^-1 by Gauss-Jordan elimination.
func refJacobianMoments(t *testing.T, v Vanilla, ts []int, probes, controls int, seed uint64) []Moments {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	k := 1 + controls
	v.Seqs = 0
	nt, err := v.draw(rng, k)
	if err != nil {
		t.Fatal(err)
	}
	n, nf := v.N, float64(v.N)
	w, b := nt.w.Data, nt.bias
	vin := func(i, j int) float64 {
		if v.DirectInput {
			if i == j {
				return math.Sqrt(v.SV2)
			}
			return 0
		}
		return at(nt.v.Data, n, i, j)
	}
	var bias, bwb float64
	rows := make([]float64, n)
	for i := range n {
		bias += b[i] * b[i]
		for j := range n {
			bwb += b[i] * at(w, n, i, j) * b[j]
			rows[i] += at(w, n, i, j) * at(w, n, i, j)
		}
	}
	horizon := 0
	for _, T := range ts {
		horizon = max(horizon, T)
	}
	h := make([]float64, n*k)
	if v.Start > 0 {
		gaussian(rng, h, v.Start)
		for i := range h {
			h[i] = math.Tanh(h[i])
		}
	}
	deriv := make([][]float64, horizon) // the main trajectory's tanh'(e_t)
	j1, rel := make([][]float64, horizon), make([][]float64, horizon)
	x := make([]float64, n*k)
	for st := range horizon {
		gaussian(rng, x, 1)
		next := make([]float64, n*k)
		deriv[st], j1[st], rel[st] = make([]float64, n), make([]float64, k), make([]float64, k)
		for s := range k {
			sq := make([]float64, n)
			for i := range n {
				e := b[i]
				for j := range n {
					e += at(w, n, i, j)*h[s*n+j] + vin(i, j)*x[s*n+j]
				}
				th := math.Tanh(e)
				next[s*n+i] = th
				d := 1 - th*th
				sq[i] = d * d
				if s == 0 {
					deriv[st][i] = d
				}
				j1[st][s] += sq[i] * rows[i] / nf
			}
			var mean, va float64
			for _, y := range sq {
				mean += y / nf
			}
			for _, y := range sq {
				va += (y - mean) * (y - mean) / nf
			}
			if mean > 0 {
				rel[st][s] = va / (mean * mean)
			}
		}
		h = next
	}
	out := make([]Moments, len(ts))
	for c, T := range ts {
		probe := make([]float64, n*probes) // unit i of probe p at i*probes + p
		for i := range probe {
			probe[i] = rademacher(rng)
		}
		jac := make([]float64, n*n) // D_T W ... D_1 W
		for i := range n {
			jac[i*n+i] = 1
		}
		for st := range T {
			next := make([]float64, n*n)
			for i := range n {
				for j := range n {
					for l := range n {
						next[i*n+j] += deriv[st][i] * at(w, n, i, l) * jac[l*n+j]
					}
				}
			}
			jac = next
		}
		var m1, m2 float64
		for p := range probes {
			jtv := make([]float64, n)
			for j := range n {
				for i := range n {
					jtv[j] += jac[i*n+j] * probe[i*probes+p]
				}
				m1 += jtv[j] * jtv[j]
			}
			for i := range n {
				var y float64
				for j := range n {
					y += jac[i*n+j] * jtv[j]
				}
				m2 += y * y
			}
		}
		scale := nf * float64(probes)
		out[c] = Moments{T: T, M1: m1 / scale, M2: m2 / scale, Bias: bias / nf, BWB: bwb / nf}
		if controls > 0 {
			p1, p2 := make([]float64, k), make([]float64, k)
			for s := range k {
				p1[s] = 1
				sr := 0.0
				for st := range T {
					p1[s] *= j1[st][s]
					sr += rel[st][s]
				}
				p2[s] = p1[s] * p1[s] * (1 + sr)
			}
			var s1, s2 float64
			for s := 1; s < k; s++ {
				s1 += p1[s]
				s2 += p2[s]
			}
			out[c].C1, out[c].C2 = p1[0]-s1/float64(controls), p2[0]-s2/float64(controls)
		}
	}
	if v.SB2 > 0 && v.SW2 > 0 {
		a := FrozenRadius / math.Sqrt(v.SW2)
		m := make([]float64, n*n)
		for i := range n {
			for j := range n {
				m[i*n+j] = -a * at(w, n, i, j)
			}
			m[i*n+i]++
		}
		inv := inverse(m, n)
		z := make([][]float64, FrozenProbes)
		for p := range z {
			z[p] = make([]float64, n)
		}
		for i := range n {
			for p := range FrozenProbes {
				z[p][i] = rademacher(rng)
			}
		}
		norm2 := func(x []float64) float64 { // |(I - aW)^-1 x|^2
			var s float64
			for i := range n {
				var y float64
				for j := range n {
					y += inv[i*n+j] * x[j]
				}
				s += y * y
			}
			return s
		}
		var yy float64
		for _, zp := range z {
			yy += norm2(zp)
		}
		frozen := (norm2(b) - v.SB2*yy/FrozenProbes) / nf
		for c := range out {
			out[c].Frozen = frozen
		}
	}
	return out
}

// TestJacobianMomentsLoops: every field of JacobianMoments equals refJacobianMoments on 2- and
// 3-unit networks (1e-10): several horizons in any order (fresh probes for each), with and
// without control trajectories (C1 = C2 = 0 without), Gaussian and orthogonal W, direct and dense
// input, W = 0 and SB2 = 0 (Frozen = 0), and a network whose every unit saturates (b ~ 1e6, so
// tanh' = 0 and M1 = M2 = C1 = C2 = 0 with r_t = 0, not 0/0).
func TestJacobianMomentsLoops(t *testing.T) {
	for _, c := range []struct {
		v                Vanilla
		ts               []int
		probes, controls int
	}{
		{Vanilla{N: 3, SW2: 2.25, SV2: 0.2, SB2: 0.3, Start: 0.4, DirectInput: true}, []int{3, 1, 2}, 2, 2},
		{Vanilla{N: 3, SW2: 1.2, SV2: 0.5, SB2: 0.1, Orthogonal: true}, []int{2, 4}, 3, 3},
		{Vanilla{N: 2, SW2: 0.7, SV2: 0.4, SB2: 0.2, Start: 0.3}, []int{2}, 1, 0},
		{Vanilla{N: 3, SW2: 1.5, SV2: 0.3, Start: 0.5, DirectInput: true}, []int{2}, 2, 1},
		{Vanilla{N: 2, SV2: 0.3, SB2: 0.2, Start: 0.2}, []int{1, 2}, 1, 1},
		{Vanilla{N: 3, SW2: 1, SV2: 0.1, SB2: 1e12, Start: 0.2, DirectInput: true}, []int{1, 3}, 2, 2},
	} {
		const seed = 17
		got, err := c.v.JacobianMoments(c.ts, c.probes, c.controls, seed)
		if err != nil {
			t.Fatalf("%+v: %v", c.v, err)
		}
		want := refJacobianMoments(t, c.v, c.ts, c.probes, c.controls, seed)
		for i, g := range got {
			w := want[i]
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"M1", g.M1, w.M1}, {"M2", g.M2, w.M2}, {"C1", g.C1, w.C1}, {"C2", g.C2, w.C2},
				{"Bias", g.Bias, w.Bias}, {"BWB", g.BWB, w.BWB}, {"Frozen", g.Frozen, w.Frozen}} {
				if !near(f.got, f.want, 1e-10) || g.T != w.T {
					t.Errorf("%+v T = %d: %s = %.15g, loops give %.15g", c.v, g.T, f.name, f.got, f.want)
				}
			}
		}
	}
}

// TestFrozenHandBuilt: Moments.Frozen on hand-built 2-unit networks. For W = d I + w [[0, 1],
// [-1, 0]], I - aW = (1 - ad) I - aw [[0, 1], [-1, 0]] has orthogonal rows of squared norm
// s = (1 - ad)^2 + (aw)^2, so |(I - aW)^-1 x|^2 = |x|^2/s for every x: |u|^2 = |b|^2/s and every
// Rademacher probe gives 2/s, whatever was drawn, and Frozen = (|b|^2 - 2 SB2)/(2 s). W = 0 or
// SB2 = 0 give 0. A singular I - aW is an error, and so is one at condition exactly 1e12 (the
// bound is exclusive), while one just below it is accepted.
func TestFrozenHandBuilt(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d, w, b0, b1 = 0.6, 0.8, 0.9, -0.2
	for _, sw2 := range []float64{2.25, 0.36} {
		v := Vanilla{N: 2, SW2: sw2, SB2: 0.3}
		a := FrozenRadius / math.Sqrt(sw2)
		nt := &vnet{n: 2, w: general(2, []float64{d, w, -w, d}), bias: []float64{b0, b1}}
		s := (1-a*d)*(1-a*d) + a*w*a*w
		want := (b0*b0 + b1*b1 - 2*v.SB2) / (2 * s)
		if got, err := v.frozen(rng, nt); err != nil || !near(got, want, 1e-13) {
			t.Errorf("SW2 = %v: Frozen = %v (%v), want %v", sw2, got, err, want)
		}
		for _, z := range []Vanilla{{N: 2, SB2: 0.3}, {N: 2, SW2: sw2}} {
			if got, err := z.frozen(rng, nt); err != nil || got != 0 {
				t.Errorf("%+v: Frozen = %v (%v), want 0", z, got, err)
			}
		}
	}
	// SW2 = 0.5625: a = 1 exactly, and I - aW = diag(1 - W_11, 1 - W_22).
	v := Vanilla{N: 2, SW2: 0.5625, SB2: 0.3}
	q := math.Ldexp(9008, -53) // 1 - q and 1 - (1 - q) are exact
	p := 1e12 * q
	for _, c := range []struct {
		p, q float64
		ok   bool
	}{{1, 0, false}, {p, q, false}, {math.Nextafter(p, 0), q, true}} {
		var lu mat.LU
		lu.Factorize(mat.NewDense(2, 2, []float64{c.p, 0, 0, c.q}))
		if cond := lu.Cond(); (cond < 1e12) != c.ok || (!c.ok && c.q > 0 && cond != 1e12) {
			t.Fatalf("premise: diag(%v, %v) has condition %v", c.p, c.q, cond)
		}
		nt := &vnet{n: 2, w: general(2, []float64{1 - c.p, 0, 0, 1 - c.q}), bias: []float64{b0, b1}}
		got, err := v.frozen(rng, nt)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "singular")) {
			t.Errorf("I - aW = diag(%v, %v): Frozen = %v, %v", c.p, c.q, got, err)
		}
	}
}

// TestJacobianMomentsBounds: each argument check admits its end points and refuses the values
// just outside: probes in [1, MaxProbes], controls in [0, MaxSeqs], and N x max(T) = MaxTrajectory
// passes the trajectory check (the error there is the next check's, on probes = 0, not the
// trajectory's); an empty ts is an error.
func TestJacobianMomentsBounds(t *testing.T) {
	v := Vanilla{N: 2, SW2: 1, SV2: 0.2, SB2: 0.1}
	for _, c := range []struct {
		probes, controls int
		ok               bool
	}{{0, 0, false}, {1, 0, true}, {MaxProbes, 0, true}, {MaxProbes + 1, 0, false},
		{1, -1, false}, {1, MaxSeqs, true}, {1, MaxSeqs + 1, false}} {
		if _, err := v.JacobianMoments([]int{1}, c.probes, c.controls, 3); (err == nil) != c.ok {
			t.Errorf("probes %d, controls %d: %v", c.probes, c.controls, err)
		}
	}
	if _, err := v.JacobianMoments(nil, 1, 0, 3); err == nil {
		t.Error("no horizons: no error")
	}
	for _, c := range []struct {
		n, T int
		traj bool // the trajectory check refuses it
	}{{16, maxSteps, false}, {MaxTrajectory / maxSteps * 2, maxSteps / 2, false}, {17, maxSteps, true}, {MaxN, MaxTrajectory/MaxN + 1, true}} {
		_, err := Vanilla{N: c.n, SW2: 1}.JacobianMoments([]int{1, c.T}, 0, 0, 3)
		if err == nil || strings.Contains(err.Error(), "stored derivatives") != c.traj {
			t.Errorf("N = %d, T = %d, no probes: %v", c.n, c.T, err)
		}
	}
}
