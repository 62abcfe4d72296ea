package rbp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"pgregory.net/rapid"
)

func randVec(rng *rand.Rand, n int, s float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = s * rng.NormFloat64()
	}
	return v
}

// anyModel draws one of the five models with random sizes and parameters.
func anyModel(t *rapid.T) Model {
	rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0))
	n := rapid.IntRange(1, 6).Draw(t, "n")
	var m Model
	var err error
	switch rapid.IntRange(0, 4).Draw(t, "model") {
	case 0:
		m, err = NewTanh(randVec(rng, n*n, 0.5), randVec(rng, n, 1), randVec(rng, n, 1))
	case 1:
		m, err = NewLinear(randVec(rng, n*n, 0.5), randVec(rng, n, 1))
	case 2:
		clamp := make([]bool, n)
		for i := range clamp {
			clamp[i] = rng.IntN(2) == 0
		}
		m, err = NewHopfield(randVec(rng, n*n, 0.5), randVec(rng, n, 0.1), clamp, randVec(rng, n, 1),
			rapid.Float64Range(0.05, 1).Draw(t, "eps"), rapid.Float64Range(0.2, 2).Draw(t, "beta"))
	case 3:
		nodes, k := rapid.IntRange(1, 5).Draw(t, "nodes"), rapid.IntRange(1, 3).Draw(t, "k")
		nbrs := make([][]int, nodes)
		for v := range nbrs {
			nbrs[v] = []int{rng.IntN(nodes), (v + 1) % nodes}
		}
		m, err = NewGraph(nbrs, k, randVec(rng, k*k, 0.5), randVec(rng, nodes*k, 1))
	default:
		g := randVec(rng, n*n, 1)
		h := make([]float64, n*n)
		for i := range n {
			for j := range n {
				for l := range n {
					h[i*n+j] += g[i*n+l] * g[j*n+l] / float64(n)
				}
			}
		}
		m, err = NewMomentum(h, randVec(rng, n, 1), rapid.Float64Range(0.01, 0.5).Draw(t, "eta"), rapid.Float64Range(0, 0.9).Draw(t, "mu"))
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestProductsMatchFiniteDifferences checks every model's Jacobian products: <v, J u> equals
// <J^T v, u> (relative 1e-12), J u matches central differences of Step in h, and (dF/dw)^T v
// matches central differences of v . F in w (relative 1e-6, step 1e-6).
func TestProductsMatchFiniteDifferences(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := anyModel(t)
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "point"), 1))
		n, p := m.Dim(), m.NumParams()
		h, u, v := randVec(rng, n, 1), randVec(rng, n, 1), randVec(rng, n, 1)
		ju, jtv, dw := make([]float64, n), make([]float64, n), make([]float64, p)
		m.JVP(ju, h, u)
		m.VJP(jtv, dw, h, v)
		a, b := floats.Dot(v, ju), floats.Dot(jtv, u)
		if math.Abs(a-b) > 1e-12*(floats.Norm(v, 2)*floats.Norm(ju, 2)+floats.Norm(jtv, 2)*floats.Norm(u, 2)+1e-300) {
			t.Fatalf("<v, J u> = %v but <J^T v, u> = %v", a, b)
		}
		const d = 1e-6
		up, dn, fd := make([]float64, n), make([]float64, n), make([]float64, n)
		hp, hm := append([]float64(nil), h...), append([]float64(nil), h...)
		floats.AddScaled(hp, d, u)
		floats.AddScaled(hm, -d, u)
		m.Step(up, hp)
		m.Step(dn, hm)
		floats.SubTo(fd, up, dn)
		floats.Scale(1/(2*d), fd)
		if e := floats.Distance(fd, ju, math.Inf(1)); e > 1e-6*(1+floats.Norm(fd, math.Inf(1))) {
			t.Fatalf("J u = %v, central differences %v", ju, fd)
		}
		w := m.Params()
		for k := range w {
			orig := w[k]
			w[k] = orig + d
			m.Step(up, h)
			w[k] = orig - d
			m.Step(dn, h)
			w[k] = orig
			fdk := (floats.Dot(v, up) - floats.Dot(v, dn)) / (2 * d)
			if math.Abs(fdk-dw[k]) > 1e-6*(1+math.Abs(fdk)) {
				t.Fatalf("(dF/dw)^T v [%d] = %v, central difference %v", k, dw[k], fdk)
			}
		}
	})
}

func TestConstructorErrors(t *testing.T) {
	nan := math.NaN()
	errs := map[string]error{}
	_, errs["tanh shapes"] = NewTanh([]float64{1}, []float64{1, 2}, []float64{1, 2})
	_, errs["tanh NaN"] = NewTanh([]float64{nan}, []float64{1}, []float64{1})
	_, errs["linear shapes"] = NewLinear([]float64{1, 2}, []float64{1})
	_, errs["linear inf"] = NewLinear([]float64{math.Inf(1)}, []float64{1})
	_, errs["hopfield eps"] = NewHopfield([]float64{0}, []float64{0}, []bool{false}, []float64{1}, 0, 1)
	_, errs["hopfield beta"] = NewHopfield([]float64{0}, []float64{0}, []bool{false}, []float64{1}, 0.5, -1)
	_, errs["hopfield shapes"] = NewHopfield([]float64{0, 1}, []float64{0}, []bool{false}, []float64{1}, 0.5, 1)
	_, errs["graph isolated node"] = NewGraph([][]int{{}}, 1, []float64{0.5}, []float64{1})
	_, errs["graph bad neighbour"] = NewGraph([][]int{{3}}, 1, []float64{0.5}, []float64{1})
	_, errs["graph shapes"] = NewGraph([][]int{{0}}, 2, []float64{0.5}, []float64{1})
	_, errs["momentum asymmetric"] = NewMomentum([]float64{1, 2, 3, 4}, []float64{1, 1}, 0.1, 0.5)
	m, _ := NewLinear([]float64{0.5}, []float64{1})
	_, _, errs["fixed point h0"] = FixedPoint(m, []float64{1, 2}, 1e-12, 10)
	_, _, errs["fixed point maxIter"] = FixedPoint(m, []float64{1}, 1e-12, 0)
	_, _, errs["TBPTT steps"] = TBPTT(m, []float64{1}, -1, func(dst, h []float64) {})
	_, errs["Neumann K"] = Neumann(m, []float64{1}, -1, func(dst, h []float64) {})
	_, errs["original RBP k"] = OriginalRBP(m, []float64{1}, []float64{1}, []float64{1}, -1)
	_, _, errs["CG tol"] = CGRBP(m, []float64{1}, []float64{1}, 0, 0, 10)
	bad, _ := NewLinear([]float64{2}, []float64{1})
	_, _, errs["diverging iteration"] = FixedPoint(bad, []float64{1}, 1e-12, 5000)
	if _, rep, err := FixedPoint(bad, []float64{1}, 1e-12, 10); err != nil || rep.Converged {
		t.Errorf("10 steps of a diverging map: %+v, %v; want no error and not converged", rep, err)
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestFixedPointReport(t *testing.T) {
	m, _ := NewLinear([]float64{0.5}, []float64{1}) // h* = 2
	h, rep, err := FixedPoint(m, []float64{0}, 1e-12, 1000)
	if err != nil || !rep.Converged || math.Abs(h[0]-2) > 1e-11 || rep.Residual > 1e-12*(1+h[0]) {
		t.Fatalf("h = %v, report %+v, %v", h, rep, err)
	}
	_, rep, _ = FixedPoint(m, []float64{0}, 1e-12, 3)
	if rep.Converged || rep.Iterations != 3 || rep.Residual != 0.125 { // h_3 = 1.75, F(h_3) = 1.875
		t.Fatalf("3 iterations reported as %+v", rep)
	}
}

// BenchmarkNeumannTBPTT compares Neumann-RBP with TBPTT at equal K on a tanh recurrence of size
// 100 (report allocations with -benchmem; the time ratio is the claim's target: Neumann at most
// 1.1 times TBPTT).
func BenchmarkNeumannTBPTT(b *testing.B) {
	const n = 100
	rng := rand.New(rand.NewPCG(1, 2))
	w := randVec(rng, n*n, 0.05)
	m, _ := NewTanh(w, randVec(rng, n, 1), randVec(rng, n, 1))
	h, _, _ := FixedPoint(m, make([]float64, n), 1e-14, 10000)
	y := randVec(rng, n, 1)
	lossGrad := func(dst, h []float64) { floats.SubTo(dst, h, y) }
	for _, k := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("neumann/K=%d", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Neumann(m, h, k, lossGrad)
			}
		})
		b.Run(fmt.Sprintf("tbptt/K=%d", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = TBPTT(m, h, k, lossGrad)
			}
		})
	}
}
