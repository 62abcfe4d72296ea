package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlt5/verify/numeric/weights"
	"pgregory.net/rapid"
)

// TestRademacherExactByHand checks the enumeration against sums written out by hand.
func TestRademacherExactByHand(t *testing.T) {
	relu := func(u float64) float64 { return math.Max(u, 0) }
	// d = 1: w = +-1.
	got, err := RademacherExact(0, []float64{2}, []float64{-3})
	if err != nil || got != (relu(2)*relu(-3)+relu(-2)*relu(3))/2 {
		t.Fatalf("d=1: %v, %v", got, err)
	}
	// d = 2, x = e1, y = e2: relu(w1) relu(w2) is 1 for w = (1, 1) only.
	got, _ = RademacherExact(0, []float64{1, 0}, []float64{0, 1})
	if got != 0.25 {
		t.Fatalf("d=2, e1, e2: %v, want 1/4", got)
	}
	// a = 1 is the identity: E (w.x)(w.y) = x.y.
	got, _ = RademacherExact(1, []float64{1, 2, 3}, []float64{-1, 0.5, 2})
	if math.Abs(got-6) > 1e-15 {
		t.Fatalf("a=1: %v, want x.y = 6", got)
	}
}

func TestErrors(t *testing.T) {
	g := weights.Gaussian{Scale: 1}
	x := []float64{1, 2}
	cases := map[string]error{}
	_, cases["mismatched"] = KernelMC(g, 0, x, []float64{1}, 10, 1)
	_, cases["one sample"] = KernelMC(g, 0, x, x, 1, 1)
	_, cases["a > 1"] = KernelMC(g, 2, x, x, 10, 1)
	_, cases["NaN input"] = KernelMC(g, 0, []float64{math.NaN(), 1}, x, 10, 1)
	_, cases["bad law"] = KernelMC(weights.StudentT{Nu: 1, Scale: 1}, 0, x, x, 10, 1)
	_, cases["enumeration too large"] = RademacherExact(0, make([]float64, 30), make([]float64, 30))
	_, cases["quadrature theta"] = KappaQuad(4, 0)
	_, cases["quadrature a"] = KappaQuad(1, -1)
	rng := rand.New(rand.NewPCG(1, 1))
	_, cases["network width"] = Network(g, 2, 0, 0, 1, [][]float64{x}, rng)
	_, cases["network depth"] = Network(g, 2, 0, 5, -1, [][]float64{x}, rng)
	_, cases["network inputs"] = Network(g, 2, 0, 5, 1, nil, rng)
	_, cases["network ragged"] = Network(g, 2, 0, 5, 1, [][]float64{x, {1}}, rng)
	_, cases["network second moment"] = Network(g, -1, 0, 5, 1, [][]float64{x}, rng)
	_, cases["network infinite input"] = Network(g, 2, 0, 5, 1, [][]float64{{math.Inf(1), 0}}, rng)
	_, cases["layer width"] = Layer(g, 2, 0, 0, [][]float64{x}, rng)
	_, cases["networks count"] = Networks(g, 2, 0, 5, 1, [][]float64{x}, 0, 1)
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestKernelMCAllocations: the hot loop reuses one buffer per block, so an estimate allocates a
// fixed number of times whatever its sample size.
func TestKernelMCAllocations(t *testing.T) {
	x := make([]float64, 50)
	for i := range x {
		x[i] = 1
	}
	count := func(n int) float64 {
		return testing.AllocsPerRun(3, func() { _, _ = KernelMC(weights.Gaussian{Scale: 1}, 0, x, x, n, 1) })
	}
	if small, large := count(1000), count(100000); small != large {
		t.Fatalf("allocations grow with n: %v at 1e3, %v at 1e5", small, large)
	}
}

// TestLayerMatchesNetwork: one layer's features give the network's layer-1 empirical kernel.
func TestLayerMatchesNetwork(t *testing.T) {
	in := [][]float64{{1, 2, 3}, {-1, 0.5, 2}}
	z, err := Layer(weights.Sphere{Radius: 1}, 2, 0.1, 40, in, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	g, _ := Network(weights.Sphere{Radius: 1}, 2, 0.1, 40, 1, in, rand.New(rand.NewPCG(3, 4)))
	var s float64
	for k := range z[0] {
		s += z[0][k] * z[1][k]
	}
	if math.Abs(s/40-g[1].At(0, 1)) > 1e-14 {
		t.Fatalf("layer features give %v, network %v", s/40, g[1].At(0, 1))
	}
}

// TestRademacherSymmetries: the enumeration is symmetric in x and y, invariant under flipping
// the sign of one coordinate of both inputs (the law is), and positively homogeneous.
func TestRademacherSymmetries(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 10).Draw(t, "d")
		x := rapid.SliceOfN(rapid.Float64Range(-3, 3), d, d).Draw(t, "x")
		y := rapid.SliceOfN(rapid.Float64Range(-3, 3), d, d).Draw(t, "y")
		a := rapid.Float64Range(0, 1).Draw(t, "a")
		k, _ := RademacherExact(a, x, y)
		ky, _ := RademacherExact(a, y, x)
		i := rapid.IntRange(0, d-1).Draw(t, "flip")
		xf, yf := append([]float64(nil), x...), append([]float64(nil), y...)
		xf[i], yf[i] = -xf[i], -yf[i]
		kf, _ := RademacherExact(a, xf, yf)
		c := rapid.Float64Range(0, 5).Draw(t, "c")
		xc := append([]float64(nil), x...)
		for j := range xc {
			xc[j] *= c
		}
		kc, _ := RademacherExact(a, xc, y)
		scale := 1e-13 * (1 + math.Abs(k)) * float64(d) * 10
		if math.Abs(k-ky) > scale || math.Abs(k-kf) > scale || math.Abs(kc-c*k) > scale*(1+c) {
			t.Fatalf("k %v, swapped %v, flipped %v, scaled %v (c k = %v)", k, ky, kf, kc, c*k)
		}
	})
}

// TestKappaQuadSymmetry: the quadrature at a = 1 integrates cos p cos(p - theta) to cos theta.
func TestKappaQuadSymmetry(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		th := rapid.Float64Range(0, math.Pi).Draw(t, "theta")
		q, err := KappaQuad(th, 1)
		if err != nil || math.Abs(q-math.Cos(th)) > 1e-14 {
			t.Fatalf("quadrature at a = 1: %v, want cos theta = %v (%v)", q, math.Cos(th), err)
		}
	})
}
