package meanfield

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestJacobianProducts: forward and backward applied to the identity are the dense T-step
// Jacobian J = D_T W ... D_1 W and its transpose (1e-13), built with gonum's mat.
func TestJacobianProducts(t *testing.T) {
	const n, T = 12, 3
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
	for _, back := range []bool{false, true} {
		j := &jacobian{w: general(n, w), d: d, n: n, k: n, a: blocks(n, n), b: blocks(n, n)}
		for i := range n {
			j.a.Data[i*n+i] = 1
		}
		want := mat.DenseCopyOf(dense)
		if back {
			j.backward(T)
			want = mat.DenseCopyOf(dense.T())
		} else {
			j.forward(T)
		}
		got := mat.NewDense(n, n, j.a.Data)
		if !mat.EqualApprox(got, want, 1e-13) {
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
	nt, err := v.draw(rand.New(rand.NewPCG(7, 8)))
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
	nt, err := v.draw(rng)
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
		if _, err := v.JacobianMoments([]int{16}, 8, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}
