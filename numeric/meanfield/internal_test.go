package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestJacobianProducts: forward and backward applied to a block of k random vectors (k < N, not
// a multiple of 4, so that the vector kernel's groups and remainders both run) are the dense
// T-step Jacobian J = D_T W ... D_1 W and its transpose applied to them (1e-13), built with
// gonum's mat.
func TestJacobianProducts(t *testing.T) {
	const n, k, T = 20, 5, 3
	rng := rand.New(rand.NewPCG(1, 2))
	w := make([]float64, n*n)
	gaussian(rng, w, 1.5/n)
	d := make([]float64, n*T)
	for i := range d {
		d[i] = rng.Float64()
	}
	dense := mat.NewDense(n, n, nil)
	for i := range n {
		dense.Set(i, i, 1)
	}
	W := mat.NewDense(n, n, w)
	for t := range T {
		dense.Mul(W, dense)
		dense.Mul(mat.NewDiagDense(n, d[t*n:(t+1)*n]), dense)
	}
	vs := make([]float64, k*n) // vector p at p n
	gaussian(rng, vs, 1)
	block := mat.NewDense(k, n, vs)
	for _, back := range []bool{false, true} {
		j := newJacobian(w, d, n, k)
		copy(j.a, vs)
		var want mat.Dense // row p: (J v_p)^T = v_p^T J^T, or (J^T v_p)^T = v_p^T J
		if back {
			j.backward(T)
			want.Mul(block, dense)
		} else {
			j.forward(T)
			want.Mul(block, dense.T())
		}
		if got := mat.NewDense(k, n, j.a); !mat.EqualApprox(got, &want, 1e-13) {
			t.Errorf("backward=%v: the block products differ from the dense Jacobian", back)
		}
	}
}

// TestMinimalJacobian: the minimalRNN's one-step |J|_F^2/N from advance equals that of the
// Jacobian of the step map h_{t-1} -> h_t by central differences (1e-7), tied weights.
func TestMinimalJacobian(t *testing.T) {
	m := Minimal{N: 10, MuB: 1, SW: 2, SV: 1, SB: 0.5, R: 1}
	nt := m.newNet(rand.New(rand.NewPCG(3, 4)))
	rng := rand.New(rand.NewPCG(5, 6))
	h, z := make([]float64, m.N), make([]float64, m.N)
	gaussian(rng, h, 0.3)
	gaussian(rng, z, 1)
	fd := fdFrobenius(h, func(c []float64) { nt.advance(c, z) })
	got := nt.advance(append([]float64(nil), h...), z).Jacobian
	if math.Abs(got-fd/float64(m.N)) > 1e-7 {
		t.Errorf("|J|_F^2/N %.12g, by central differences %.12g", got, fd/float64(m.N))
	}
}

// fdFrobenius returns |J|_F^2 of the map step (applied in place) at h, J by central differences
// with step 1e-6.
func fdFrobenius(h []float64, step func(h []float64)) float64 {
	const eps = 1e-6
	var fd float64
	for j := range h {
		hp, hm := append([]float64(nil), h...), append([]float64(nil), h...)
		hp[j] += eps
		hm[j] -= eps
		step(hp)
		step(hm)
		for i := range hp {
			g := (hp[i] - hm[i]) / (2 * eps)
			fd += g * g
		}
	}
	return fd
}

// TestVanillaJacobian: the vanilla step's Jacobian field is (1/N) sum_i tanh'(e_i)^2 |W_i|^2,
// against central differences of the step map (1e-7).
func TestVanillaJacobian(t *testing.T) {
	v := Vanilla{N: 10, SW2: 2, SV2: 0.3, SB2: 0.1}
	nt, err := v.draw(rand.New(rand.NewPCG(7, 8)), 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 10))
	h, x, e := make([]float64, v.N), make([]float64, v.N), make([]float64, v.N)
	gaussian(rng, h, 0.5)
	gaussian(rng, x, 1)
	fd := fdFrobenius(h, func(c []float64) { nt.step(c, x, e) })
	nt.step(append([]float64(nil), h...), x, e)
	var jf float64
	for i, ei := range e {
		d := sech2(ei)
		jf += d * d * nt.rows[i]
	}
	if math.Abs(jf-fd) > 1e-7*float64(v.N) {
		t.Errorf("sum tanh'^2 |W_i|^2 = %.12g, by central differences %.12g", jf, fd)
	}
}

// BenchmarkVanillaStep is one step h = tanh(W h + b + sqrt(sv2) x) of a width-1000 network with a
// fresh Gaussian input (the numpy user's step in the bench folder), weights drawn outside the
// timer: steps/s. BenchmarkVanillaStepDense is the step with a dense input matrix V (two
// matrix-vector products).
func BenchmarkVanillaStep(b *testing.B)      { benchVanilla(b, true) }
func BenchmarkVanillaStepDense(b *testing.B) { benchVanilla(b, false) }

func benchVanilla(b *testing.B, direct bool) {
	v := Vanilla{N: 1000, SW2: 1.5, SV2: 0.09, DirectInput: direct}
	rng := rand.New(rand.NewPCG(1, 1))
	nt, err := v.draw(rng, 1)
	if err != nil {
		b.Fatal(err)
	}
	h, x, e := make([]float64, v.N), make([]float64, v.N), make([]float64, v.N)
	start(rng, h, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		gaussian(rng, x, 1)
		nt.step(h, x, e)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkMinimalStep is one tied minimalRNN step at width 1000 (steps/s), weights drawn outside
// the timer; BenchmarkMinimalStepAnnealed includes the redraw of W, V and b.
func BenchmarkMinimalStep(b *testing.B)         { benchMinimal(b, false) }
func BenchmarkMinimalStepAnnealed(b *testing.B) { benchMinimal(b, true) }

func benchMinimal(b *testing.B, annealed bool) {
	m := Minimal{N: 1000, MuB: 2, SW: 3, SV: 1, R: 1}
	nt := m.newNet(rand.New(rand.NewPCG(1, 1)))
	h, z := make([]float64, m.N), make([]float64, m.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if annealed {
			nt.draw()
		}
		gaussian(nt.rng, z, 1)
		nt.advance(h, z)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkJacobianMoments is one Hutchinson estimate of m_1 and m_2 at width 500, T = 16, with 8
// probes (32 products of W with a 500 x 8 block), the network and its trajectory included.
func BenchmarkJacobianMoments(b *testing.B) {
	v := Vanilla{N: 500, SW2: 1.2, SV2: 0.1, SB2: 0.1, Start: 0.3}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := v.JacobianMoments([]int{16}, 8, 0, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// meanSE returns the mean and standard error of xs.
func meanSE(xs []float64) (float64, float64) {
	var s, ss float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(xs)-1) / float64(len(xs)))
}

// requireSame fails when two independent samples' means differ by more than 6 standard errors
// (a false alarm of 2e-9 per comparison), or when one of them is constant.
func requireSame(t *testing.T, what string, a, b []float64) {
	t.Helper()
	ma, sa := meanSE(a)
	mb, sb := meanSE(b)
	if !(sa > 0 && sb > 0) || math.Abs(ma-mb) > 6*math.Hypot(sa, sb) {
		t.Errorf("%s: %.6g +- %.2g against %.6g +- %.2g", what, ma, sa, mb, sb)
	}
}

// TestFieldSampler: the annealed minimalRNN simulated through its gate fields has the law of the
// N x N draw: at N = 6 (where any error in the field variances or the Jacobian's conditional means
// is a large effect) and over 4000 runs each, the means of Q_t, of (1/N)|J_t|_F^2 (from h_0 = 0
// and from a random start) and of the two copies' Q^ab_t agree within 6 SE. A wrong factor in the
// fields moves Q_2 by about 1%, many SE at this size.
func TestFieldSampler(t *testing.T) {
	const runs = 4000
	for _, m := range []Minimal{{N: 6, MuB: 0.5, SW: 2, SV: 1, SB: 0.7, R: 1, Annealed: true},
		{N: 6, MuB: 2, SW: 3, SV: 0.5, SB: 0, R: 2, Start: 1, Annealed: true}} {
		var q, j [2][3][]float64
		var ab [2][3][]float64
		for r := range runs {
			for k, dense := range []bool{false, true} {
				tr, err := m.trajectory(3, uint64(r+runs*k), dense)
				if err != nil {
					t.Fatal(err)
				}
				qab, _, err := m.pair(2, 3, uint64(r+runs*k+7*runs), dense, false)
				if err != nil {
					t.Fatal(err)
				}
				for s := range 3 {
					q[k][s] = append(q[k][s], tr[s].Q)
					j[k][s] = append(j[k][s], tr[s].Jacobian)
					ab[k][s] = append(ab[k][s], qab[s])
				}
			}
		}
		for s := range 3 {
			requireSame(t, fmt.Sprintf("%+v Q_%d", m, s+1), q[0][s], q[1][s])
			requireSame(t, fmt.Sprintf("%+v Jacobian_%d", m, s+1), j[0][s], j[1][s])
			requireSame(t, fmt.Sprintf("%+v Q^ab_%d", m, s+1), ab[0][s], ab[1][s])
		}
	}
}

// TestFieldJacobianExact: for one step from a fixed h the field sampler's Jacobian term is the
// conditional mean of the dense one: averaging the dense |J|_F^2/N over many draws of the weights
// and the field sampler's over as many gives the same mean (4000 draws each at N = 5).
func TestFieldJacobianExact(t *testing.T) {
	m := Minimal{N: 5, MuB: 1, SW: 2.5, SV: 1, SB: 0.5, R: 1, Annealed: true}
	h0 := []float64{0.9, -0.4, 0.3, 1.2, -0.7}
	var dense, fast []float64
	for r := range 4000 {
		z := make([]float64, m.N)
		gaussian(rand.New(rand.NewPCG(uint64(r), 99)), z, m.R)
		nt := m.newNet(rand.New(rand.NewPCG(uint64(r), 1)))
		dense = append(dense, nt.advance(append([]float64(nil), h0...), z).Jacobian)
		f := m.newFields(rand.New(rand.NewPCG(uint64(r), 2)))
		fast = append(fast, f.advance(append([]float64(nil), h0...), z).Jacobian)
	}
	requireSame(t, "one-step Jacobian from a fixed h", fast, dense)
}

// TestBatchedStep: a network stepping k sequences in one matrix product gives each the step it
// gets alone (1e-14), with Gaussian and dense input weights.
func TestBatchedStep(t *testing.T) {
	const k = 3
	v := Vanilla{N: 20, SW2: 1.7, SV2: 0.3, SB2: 0.2}
	nt, err := v.draw(rand.New(rand.NewPCG(4, 4)), k)
	if err != nil {
		t.Fatal(err)
	}
	one := *nt
	one.k, one.vx, one.past = 1, make([]float64, v.N), make([]float64, v.N)
	rng := rand.New(rand.NewPCG(5, 5))
	h, x, e := make([]float64, v.N*k), make([]float64, v.N*k), make([]float64, v.N*k)
	gaussian(rng, h, 1)
	gaussian(rng, x, 1)
	cols := make([][3][]float64, k)
	for j := range k {
		for i := range v.N {
			cols[j][0] = append(cols[j][0], h[j*v.N+i])
			cols[j][1] = append(cols[j][1], x[j*v.N+i])
		}
		cols[j][2] = make([]float64, v.N)
		one.step(cols[j][0], cols[j][1], cols[j][2])
	}
	nt.step(h, x, e)
	for j := range k {
		for i := range v.N {
			if math.Abs(e[j*v.N+i]-cols[j][2][i]) > 1e-14 || math.Abs(h[j*v.N+i]-cols[j][0][i]) > 1e-14 {
				t.Fatalf("sequence %d unit %d: batched %v, alone %v", j, i, e[j*v.N+i], cols[j][2][i])
			}
		}
	}
}

// TestJacobianControls: the control variates have mean 0 (M1 - C1 and M1 agree over 300
// networks) and remove most of a trajectory's fluctuation at T = 8 (the SD of M1 - C1 is below
// 0.7 of M1's with 8 control trajectories and 32 probes, N = 60), orthogonal and Gaussian W.
func TestJacobianControls(t *testing.T) {
	for _, orth := range []bool{false, true} {
		v := Vanilla{N: 60, SW2: 1.5, SV2: 0.1, Start: 0.4, Orthogonal: orth, DirectInput: true}
		var m1, r1, m2, r2 []float64
		for s := range 300 {
			ms, err := v.JacobianMoments([]int{8}, 32, 8, uint64(s))
			if err != nil {
				t.Fatal(err)
			}
			m1, r1 = append(m1, ms[0].M1), append(r1, ms[0].M1-ms[0].C1)
			m2, r2 = append(m2, ms[0].M2), append(r2, ms[0].M2-ms[0].C2)
		}
		_, s1 := meanSE(m1)
		_, sr1 := meanSE(r1)
		requireSame(t, fmt.Sprintf("orthogonal=%v M1 - C1 against M1 (paired: compared loosely)", orth), r1, m1)
		requireSame(t, fmt.Sprintf("orthogonal=%v M2 - C2 against M2", orth), r2, m2)
		if !(sr1 < 0.7*s1) {
			t.Errorf("orthogonal=%v: SD of M1 - C1 %.3g against M1's %.3g", orth, sr1, s1)
		}
	}
}

// TestPersistFields: PreactivationVariance's network constants (the MF-1 control variates b.W^k b/N
// and |W b|^2/N, and b.b/N) equal plain loops over the same network's W and b, drawn from the same
// stream.
func TestPersistFields(t *testing.T) {
	v := Vanilla{N: 7, SW2: 1.3, SV2: 0.2, SB2: 0.4, DirectInput: true, Seqs: 2}
	steps, err := v.PreactivationVariance(2, 11)
	if err != nil {
		t.Fatal(err)
	}
	nt, err := v.draw(rand.New(rand.NewPCG(11, 0)), v.seqs())
	if err != nil {
		t.Fatal(err)
	}
	n := v.N
	w := func(i, j int) float64 { return nt.w.Data[i*nt.w.Stride+j] }
	mul := func(x []float64) []float64 {
		out := make([]float64, n)
		for i := range n {
			for j := range n {
				out[i] += w(i, j) * x[j]
			}
		}
		return out
	}
	dotN := func(a, b []float64) float64 {
		s := 0.0
		for i := range a {
			s += a[i] * b[i]
		}
		return s / float64(n)
	}
	wb := mul(nt.bias)
	w2b := mul(wb)
	w3b := mul(w2b)
	want := map[string]float64{"Bias": dotN(nt.bias, nt.bias), "BWB": dotN(nt.bias, wb), "BW2B": dotN(nt.bias, w2b), "BW3B": dotN(nt.bias, w3b), "WB2": dotN(wb, wb)}
	for _, s := range steps {
		got := map[string]float64{"Bias": s.Bias, "BWB": s.BWB, "BW2B": s.BW2B, "BW3B": s.BW3B, "WB2": s.WB2}
		for k, x := range want {
			if math.Abs(got[k]-x) > 1e-12*(math.Abs(x)+1) {
				t.Errorf("%s = %v, loops give %v", k, got[k], x)
			}
		}
	}
}
