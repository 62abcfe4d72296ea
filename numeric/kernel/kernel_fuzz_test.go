package kernel_test

import (
	"github.com/dlt5/verify/internal/fp"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
	"gonum.org/v1/gonum/mat"
)

// The fuzz targets below call every exported function of the package on arbitrary arguments and
// assert its contract: no panic (a panic fails the run by itself), and either an error or a
// result whose every number is finite. Sample counts, sizes and widths are reduced to small
// values so the seed corpora (which run in every go test) stay fast.

var special = []float64{0.5, 0, 1, -1, 2.5, math.NaN(), math.Inf(1), math.Inf(-1), 1e200, -1e200, 1e308, 1e-300, 5e-324, -0.25}

// requireEstimate checks an estimate's numbers (its skewness may be NaN, "unknown", for N < 3).
func requireEstimate(t *testing.T, what string, err error, e stats.Estimate) {
	t.Helper()
	if err != nil {
		return
	}
	fp.RequireFinite(t, what, nil, append([]float64{e.Mean, e.SE}, e.Blocks...)...)
	if !(e.N < 3 && math.IsNaN(e.Skewness)) {
		fp.RequireFinite(t, what+" skewness", nil, e.Skewness)
	}
}

// law builds a weight law from kind and parameters, including nil, typed-nil and invalid ones.
func law(kind uint8, scale, p float64) weights.Law {
	switch kind % 14 {
	case 0:
		return nil
	case 1:
		return (*weights.Gaussian)(nil)
	case 2:
		return weights.Scaled{Law: nil, C: 1}
	case 3:
		return weights.Scaled{Law: (*weights.Sphere)(nil), C: 1}
	case 4:
		return weights.StudentT{Nu: 2 + math.Abs(p), Scale: scale}
	case 5:
		return weights.Sphere{Radius: scale}
	case 6:
		return weights.GaussMixture{Scale: scale, Low: 0.5, P: math.Mod(math.Abs(p), 1)}
	case 7:
		return weights.Uniform{Scale: scale}
	case 8:
		return weights.Rademacher{Scale: scale}
	case 9:
		return weights.Laplace{Scale: scale}
	case 10:
		return weights.CentredExp{Scale: scale}
	case 11:
		return weights.Scaled{Law: weights.Gaussian{Scale: 1}, C: scale}
	default:
		return weights.Gaussian{Scale: scale}
	}
}

// reduce maps a fuzzed count to 0..max, keeping negative values (which must be errors).
func reduce(k, max int) int {
	if k < 0 {
		return k
	}
	return k % (max + 1)
}

func length(n int) int {
	r := n % 4
	if r < 0 {
		r += 4
	}
	return r // 0..3
}

// FuzzKernelMC covers KernelMC and KernelEstimate (at most 64 samples) and Leaky.
func FuzzKernelMC(f *testing.F) {
	for i, v := range special {
		w := special[(i+5)%len(special)]
		f.Add(uint8(i), 1.0, 0.5, v, 1.0, w, -1.0, 64, 2, uint64(i))
		f.Add(uint8(12), v, 0.0, 1.0, 2.0, 3.0, 1.0, 64, 2, uint64(i))
	}
	f.Add(uint8(12), 1.0, 0.0, 1e200, 1e200, 1e200, 1e200, 64, 2, uint64(1))   // k ~ 1e400: overflows
	f.Add(uint8(12), 1.0, 0.0, 1e200, 0.0, 1e-200, 0.0, 64, 2, uint64(1))      // k ~ 0.5: finite
	f.Add(uint8(12), 1e200, 0.3, 1.0, 1.0, -1.0, 1.0, 64, 2, uint64(1))        // samples overflow
	f.Add(uint8(5), 1e-300, 1.0, 1e300, 1e300, 1e300, 1e300, 64, 2, uint64(1)) // tiny law, huge x
	f.Add(uint8(4), 1.0, 0.2, 1.0, 2.0, 3.0, 4.0, 2, 2, uint64(3))             // N = 2: skewness unknown
	f.Add(uint8(12), 1.0, 0.2, 1.0, 2.0, 3.0, 4.0, -5, 2, uint64(3))
	f.Add(uint8(12), 1.0, 0.2, 1.0, 2.0, 3.0, 4.0, 64, 3, uint64(3))
	f.Fuzz(func(t *testing.T, kind uint8, scale, a, x0, x1, y0, y1 float64, n, d int, seed uint64) {
		x, y := []float64{x0, x1, y1}, []float64{y0, y1, x0}
		x, y = x[:length(d)], y[:length(d+int(kind)%2)]
		est, err := kernel.KernelMC(law(kind, scale, a), a, x, y, reduce(n, 64), seed)
		requireEstimate(t, "KernelMC", err, est)
		r := kernel.Reduction(int(kind)%4 - int(kind)/128) // Plain, Antithetic, Regression and two unknown values
		est, err = kernel.KernelEstimate(law(kind, scale, a), a, x, y, reduce(n, 64), seed, r)
		requireEstimate(t, "KernelEstimate "+r.String(), err, est)
		if a >= 0 && a <= 1 && !math.IsNaN(x0) && !math.IsInf(x0, 0) {
			fp.RequireFinite(t, "Leaky", nil, kernel.Leaky(x0, a))
		}
	})
}

// FuzzRademacherExact covers RademacherExact (d reduced to 0..6; a length above MaxEnumerate is
// tried when d is a multiple of 7).
func FuzzRademacherExact(f *testing.F) {
	for i, v := range special {
		f.Add(0.5, v, special[(i+3)%len(special)], 1.0, -2.0, i)
	}
	f.Add(0.0, 1e200, 1e200, 1e200, 1e200, 6)
	f.Add(1.0, 1e308, 1e308, -1e308, 1e308, 4)
	f.Add(0.3, 1e200, 0.0, 1e-200, 0.0, 2)
	f.Add(0.3, 1.0, 2.0, 3.0, 4.0, 7)
	f.Fuzz(func(t *testing.T, a, x0, x1, y0, y1 float64, d int) {
		dd := reduce(d, 6)
		if d > 0 && d%7 == 0 {
			dd = kernel.MaxEnumerate + 1
		}
		if dd < 0 {
			dd = 0
		}
		x, y := make([]float64, dd), make([]float64, dd)
		for i := range x {
			x[i], y[i] = []float64{x0, x1}[i%2], []float64{y0, y1}[i%2]
		}
		k, err := kernel.RademacherExact(a, x, y)
		fp.RequireFinite(t, "RademacherExact", err, k)
	})
}

// FuzzKappaQuad covers KappaQuad.
func FuzzKappaQuad(f *testing.F) {
	for i, v := range special {
		f.Add(v, special[(i+4)%len(special)])
	}
	f.Add(math.Pi, 1.0)
	f.Add(1e-300, 0.0)
	f.Fuzz(func(t *testing.T, theta, a float64) {
		k, err := kernel.KappaQuad(theta, a)
		fp.RequireFinite(t, "KappaQuad", err, k)
	})
}

// FuzzNetwork covers Network, Layer and Networks (width reduced to 0..6, depth to 0..3 and the
// number of networks to 0..3, negative values kept; inputs of length 0..3).
func FuzzNetwork(f *testing.F) {
	for i, v := range special {
		f.Add(uint8(i), 1.0, 2.0, 0.5, v, 1.0, -1.0, 4, 2, 2, 3)
		f.Add(uint8(12), v, 2.0, 0.0, 1.0, 2.0, 3.0, 4, 2, 2, 3)
		f.Add(uint8(12), 1.0, v, 0.0, 1.0, 2.0, 3.0, 4, 2, 2, 3)
	}
	f.Add(uint8(12), 1.0, 2.0, 0.0, 1e200, 1e200, 1.0, 4, 2, 1, 3) // Gram entries overflow
	f.Add(uint8(12), 1e300, 2.0, 0.0, 1.0, 1.0, 1.0, 4, 2, 1, 3)   // E|w|^2 of the law overflows
	f.Add(uint8(12), 1e-300, 2.0, 0.0, 1.0, 1.0, 1.0, 4, 2, 1, 3)  // E|w|^2 underflows to 0
	f.Add(uint8(12), 1.0, 1e308, 0.0, 1.0, 1.0, 1.0, 4, 3, 1, 3)   // activations overflow
	f.Add(uint8(12), 1.0, 2.0, 0.0, 1.0, 1.0, 1.0, -1, -1, -1, 3)  // bad sizes
	f.Add(uint8(12), 1.0, 2.0, 0.0, 1.0, 1.0, 1.0, 4, 2, 1, 0)     // empty inputs
	f.Add(uint8(12), 1.0, 2.0, 0.0, 1.0, 1.0, 1.0, 1<<40, 2, 1, 3) // width beyond MaxEntries
	f.Add(uint8(12), 1.0, 2.0, 0.0, 1.0, 1.0, 1.0, 4, math.MaxInt, 1, 3)
	f.Fuzz(func(t *testing.T, kind uint8, scale, m2, a, x0, x1, x2 float64, width, depth, nets, d int) {
		if width < 1<<30 {
			width = reduce(width, 6)
		}
		if depth < 1<<40 {
			depth = reduce(depth, 3)
		}
		nets = reduce(nets, 3)
		dd := length(d)
		inputs := [][]float64{[]float64{x0, x1, x2}[:dd], []float64{x2, -x0, 1}[:dd]}
		lw := law(kind, scale, a)
		var rng *rand.Rand
		if kind%17 != 16 {
			rng = rand.New(rand.NewPCG(uint64(kind), 1))
		}
		g, err := kernel.Network(lw, m2, a, width, depth, inputs, rng)
		requireGrams(t, "Network", err, g)
		z, err := kernel.Layer(lw, m2, a, width, inputs, rng)
		if err == nil {
			for _, zi := range z {
				fp.RequireFinite(t, "Layer", nil, zi...)
			}
		}
		gs, err := kernel.Networks(lw, m2, a, width, depth, inputs, nets, uint64(d))
		if err == nil {
			for _, g := range gs {
				requireGrams(t, "Networks", nil, g)
			}
		}
	})
}

func requireGrams(t *testing.T, what string, err error, gs []*mat.SymDense) {
	t.Helper()
	if err != nil {
		return
	}
	for _, g := range gs {
		n := g.SymmetricDim()
		for i := range n {
			for j := range n {
				fp.RequireFinite(t, what, nil, g.At(i, j))
			}
		}
	}
}

// TestReviewerFindings pins the defects the review found: nil laws and a nil rng are errors (they
// used to panic), and 1e200 inputs give a finite estimate or an error (they used to give NaN).
func TestReviewerFindings(t *testing.T) {
	x := []float64{1, 2}
	rng := rand.New(rand.NewPCG(1, 2))
	for name, l := range map[string]weights.Law{"nil": nil, "typed nil": (*weights.Gaussian)(nil), "scaled nil": weights.Scaled{C: 1}} {
		if _, err := kernel.KernelMC(l, 0, x, x, 64, 1); err == nil {
			t.Errorf("KernelMC with a %s law: no error", name)
		}
		if _, err := kernel.Network(l, 2, 0, 4, 1, [][]float64{x}, rng); err == nil {
			t.Errorf("Network with a %s law: no error", name)
		}
		if _, err := kernel.Networks(l, 2, 0, 4, 1, [][]float64{x}, 2, 1); err == nil {
			t.Errorf("Networks with a %s law: no error", name)
		}
		if _, err := kernel.Layer(l, 2, 0, 4, [][]float64{x}, rng); err == nil {
			t.Errorf("Layer with a %s law: no error", name)
		}
	}
	g := weights.Gaussian{Scale: 1}
	if _, err := kernel.Network(g, 2, 0, 4, 1, [][]float64{x}, nil); err == nil {
		t.Errorf("Network with a nil rng: no error")
	}
	if _, err := kernel.Layer(g, 2, 0, 4, [][]float64{x}, nil); err == nil {
		t.Errorf("Layer with a nil rng: no error")
	}
	if _, err := kernel.Networks(g, 2, 0, 4, 1, [][]float64{x}, 1<<30, 1); err == nil {
		t.Errorf("Networks with 2^30 networks: no error (it would allocate them)")
	}
	if _, err := kernel.Layer(g, 2, 0, 1<<40, [][]float64{x}, rng); err == nil {
		t.Errorf("Layer of width 2^40: no error (it would allocate it)")
	}
	if e, err := kernel.KernelMC(g, 0, []float64{1e200, 1e200}, []float64{1e200, 1e200}, 64, 1); err == nil {
		t.Errorf("KernelMC at 1e200 inputs = %+v with a nil error (the kernel is ~1e400)", e)
	}
	// x = 1e200 e1, y = 1e-200 e1: k = E[relu(w1)^2] = 1/2 for standard Gaussian rows.
	e, err := kernel.KernelMC(g, 0, []float64{1e200, 0}, []float64{1e-200, 0}, 4096, 1)
	if err != nil || math.Abs(e.Mean-0.5) > 6*e.SE {
		t.Errorf("KernelMC(1e200 e1, 1e-200 e1) = %v +- %v, %v; want 0.5", e.Mean, e.SE, err)
	}
	small := fp.Must(kernel.KernelMC(g, 0, []float64{1, 0}, []float64{1, 0}, 4096, 1))
	if e.Mean != small.Mean || e.SE != small.SE {
		t.Errorf("rescaling is not exact: %v +- %v at (1e200, 1e-200), %v +- %v at (1, 1)", e.Mean, e.SE, small.Mean, small.SE)
	}
}

// FuzzSquaredNormMean covers SquaredNormMean (d reduced to 0..8 and n to 0..64 unless beyond the
// documented caps, which must be errors without work).
func FuzzSquaredNormMean(f *testing.F) {
	for i, v := range special {
		f.Add(uint8(i), v, 3, 64, uint64(i))
	}
	f.Add(uint8(12), 1e150, 8, 64, uint64(1))
	f.Add(uint8(4), 1.0, 1<<21, 64, uint64(1))
	f.Add(uint8(12), 1.0, 3, 1<<40, uint64(1))
	f.Add(uint8(12), 1.0, -3, -64, uint64(1))
	f.Fuzz(func(t *testing.T, kind uint8, scale float64, d, n int, seed uint64) {
		if d <= 1<<20 {
			d = reduce(d, 8)
		}
		if n <= 1<<34 {
			n = reduce(n, 64)
		}
		v, err := kernel.SquaredNormMean(law(kind, scale, 0.5), d, n, seed)
		fp.RequireFinite(t, "SquaredNormMean", err, v)
	})
}

// FuzzInputs covers CLTInputs and DominantInputs (d reduced to 0..50 unless beyond MaxEntries):
// equal lengths, finite entries, no allocation beyond the cap.
func FuzzInputs(f *testing.F) {
	for _, d := range []int{-1, 0, 1, 2, 3, 50, kernel.MaxEntries + 1, math.MaxInt, math.MinInt} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d int) {
		if d <= kernel.MaxEntries {
			d = reduce(d, 50)
		}
		for name, in := range map[string]func(int) ([]float64, []float64){"CLTInputs": kernel.CLTInputs, "DominantInputs": kernel.DominantInputs} {
			x, y := in(d)
			if len(x) != len(y) || len(x) > max(d, 0) {
				t.Fatalf("%s(%d): lengths %d and %d", name, d, len(x), len(y))
			}
			fp.RequireFinite(t, name, nil, append(x, y...)...)
		}
	})
}

// FuzzProjectionMean covers ProjectionMean (at most 64 samples) with a finite g, a g that returns
// NaN or an infinity, a nil g and a g that panics: an error or a finite estimate, never a panic.
func FuzzProjectionMean(f *testing.F) {
	for i, v := range special {
		f.Add(uint8(i), 1.0, v, 1.0, special[(i+2)%len(special)], 64, uint64(i))
	}
	f.Add(uint8(12), 1.0, 1e200, 1e200, 1e200, 64, uint64(1)) // the product overflows
	f.Fuzz(func(t *testing.T, kind uint8, scale, x0, x1, y0 float64, n int, seed uint64) {
		x, y := []float64{x0, x1}, []float64{y0, x0}
		gs := []func(u, v float64) float64{
			func(u, v float64) float64 { return kernel.Leaky(u, 0.3) * kernel.Leaky(v, 0.3) },
			func(u, v float64) float64 { return math.Log(u) * v }, // NaN for u < 0, -Inf at 0
			nil,
			func(u, v float64) float64 { panic("g failed") },
		}
		est, err := kernel.ProjectionMean(law(kind, scale, 0.5), x, y, reduce(n, 64), seed, gs[int(kind)%4])
		requireEstimate(t, "ProjectionMean", err, est)
	})
}
