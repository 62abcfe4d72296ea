package kernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/stats"
	"github.com/dlt5/verify/numeric/weights"
	"github.com/dlt5/verify/props/claim"
	"gonum.org/v1/gonum/mat"
)

// projInputs are three inputs in R^4 (not orthogonal, of different norms).
var projInputs = [][]float64{{1, 0, 0.5, 0}, {0.3, 1, 0, -0.2}, {-1, 0.4, 0.2, 2}}

// moments returns, per layer and Gram entry (i <= j), the samples of G and of G^2 over networks.
func moments(nets [][]*mat.SymDense) (first, second map[string][]float64) {
	first, second = map[string][]float64{}, map[string][]float64{}
	for _, net := range nets {
		for l, g := range net {
			m := g.SymmetricDim()
			for i := range m {
				for j := i; j < m; j++ {
					k := fmt.Sprintf("layer %d G[%d][%d]", l, i, j)
					first[k] = append(first[k], g.At(i, j))
					second[k] = append(second[k], g.At(i, j)*g.At(i, j))
				}
			}
		}
	}
	return first, second
}

// compare holds the projected networks' G and G^2 at every layer and entry to the full networks'
// (two-sample t-tests at the suite's per-comparison critical value); it returns the rows.
func compare(t *testing.T, law, projLaw weights.Law, width, depth, nets int) []claim.Result {
	t.Helper()
	full, err := kernel.Networks(law, 2, 0.2, width, depth, projInputs, nets, 1)
	if err != nil {
		t.Fatal(err)
	}
	proj, err := kernel.ProjectedNetworks(projLaw, 2, 0.2, width, depth, projInputs, nets, 2)
	if err != nil {
		t.Fatal(err)
	}
	f1, f2 := moments(full)
	p1, p2 := moments(proj)
	var out []claim.Result
	for _, pair := range [][2]map[string][]float64{{f1, p1}, {f2, p2}} {
		for k, xs := range pair[0] {
			a, err1 := stats.FromSample(xs, 16)
			b, err2 := stats.FromSample(pair[1][k], 16)
			if err := claim.FirstErr(err1, err2); err != nil {
				t.Fatal(err)
			}
			if k[:7] == "layer 0" {
				continue // the inputs themselves: identical
			}
			out = append(out, claim.DiffCheck(law.Name()+" "+k, a, b, 1))
		}
	}
	return out
}

// TestProjectedNetworkLaw: at width 20, depth 3, three inputs in R^4, the projected networks'
// empirical kernels have the full networks' mean and second moment at every layer and entry, for
// the sphere (whose projection needs the chi^2 of the other coordinates) and Student-t (a shared
// radial factor); a projector with the Gaussian's radial law in place of the sphere's is rejected
// (its pre-activations' fourth moment is (d+2)/d times the sphere's at fan-in d).
func TestProjectedNetworkLaw(t *testing.T) {
	if testing.Short() {
		t.Skip("4000 networks of each kind")
	}
	for _, law := range []weights.Law{weights.Sphere{Radius: 1}, weights.StudentT{Nu: 7, Scale: 1}} {
		for _, r := range compare(t, law, law, 20, 3, 4000) {
			if !r.Pass {
				t.Error(r)
			}
		}
	}
	rejected := 0
	for _, r := range compare(t, weights.Sphere{Radius: 1}, gaussianRadius{weights.Sphere{Radius: 1}}, 20, 3, 4000) {
		if r.Rejected() {
			rejected++
		}
	}
	if rejected == 0 {
		t.Fatal("a sphere projected with a Gaussian radius was not rejected")
	}
	t.Logf("a Gaussian radius for the sphere: %d rows rejected", rejected)
}

// gaussianRadius is a sphere whose projections are Gaussian (radius chi-distributed, not fixed):
// the control of TestProjectedNetworkLaw.
type gaussianRadius struct{ weights.Sphere }

func (g gaussianRadius) Project(rng *rand.Rand, d int, p []float64) {
	for i := range p {
		p[i] = g.Radius * rng.NormFloat64() / math.Sqrt(float64(d))
	}
}

// TestProjectMoments: each Projector's k coordinates have E|p|^2 = E|w|^2 k/d and, the law being
// rotationally invariant, E|p|^4 = E|w|^4 k (k+2) / (d (d+2)); a sphere projection that forgets
// the other coordinates' chi^2 fails the second.
func TestProjectMoments(t *testing.T) {
	const n, d, k = 200000, 7, 2
	laws := []weights.Law{weights.Gaussian{Scale: 0.7}, weights.Sphere{Radius: 2}, weights.StudentT{Nu: 12, Scale: 1}, weights.GaussMixture{Scale: 1, Low: 0.2, P: 0.3}}
	for _, law := range append(laws, weights.Law(forgetful{weights.Sphere{Radius: 1}})) {
		proj, _ := law.(weights.Projector)
		fm, _ := law.(weights.FourthMomenter)
		rng := rand.New(rand.NewPCG(3, 4))
		sq, qu := make([]float64, n), make([]float64, n)
		p := make([]float64, k)
		for i := range n {
			proj.Project(rng, d, p)
			sq[i] = p[0]*p[0] + p[1]*p[1]
			qu[i] = sq[i] * sq[i]
		}
		e2, err1 := stats.FromSample(sq, 16)
		e4, err2 := stats.FromSample(qu, 16)
		if err := claim.FirstErr(err1, err2); err != nil {
			t.Fatal(err)
		}
		rows := []claim.Result{
			claim.MeanCheck(law.Name()+" E|p|^2", e2, law.SecondMoment(d)*k/d, 3),
			claim.MeanCheck(law.Name()+" E|p|^4", e4, fm.FourthMoment(d)*k*(k+2)/(d*(d+2)), 3),
		}
		for _, r := range rows {
			if _, control := law.(forgetful); control != r.Rejected() {
				t.Errorf("control %v: %v", control, r)
			}
		}
	}
}

// forgetful is a unit sphere projected as if d = k (the chi^2 of the other coordinates forgotten).
type forgetful struct{ weights.Sphere }

func (forgetful) Project(rng *rand.Rand, _ int, p []float64) {
	weights.Sphere{Radius: 1}.Project(rng, len(p), p)
}

// TestProjectedNetworkErrors: bad arguments are errors, never panics.
func TestProjectedNetworkErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	two := [][]float64{{1, 0}, {0, 1}}
	for name, run := range map[string]func() error{
		"iid law": func() error {
			_, err := kernel.ProjectedNetwork(weights.Uniform{Scale: 1}, 2, 0, 10, 2, two, rng)
			return err
		},
		"nil law": func() error { _, err := kernel.ProjectedNetwork(nil, 2, 0, 10, 2, two, rng); return err },
		"nil rng": func() error {
			_, err := kernel.ProjectedNetwork(weights.Sphere{Radius: 1}, 2, 0, 10, 2, two, nil)
			return err
		},
		"too many": func() error {
			_, err := kernel.ProjectedNetwork(weights.Sphere{Radius: 1}, 2, 0, 10, 2, [][]float64{{1}, {2}}, rng)
			return err
		},
		"narrow": func() error {
			_, err := kernel.ProjectedNetwork(weights.Sphere{Radius: 1}, 2, 0, 1, 2, two, rng)
			return err
		},
		"slope": func() error {
			_, err := kernel.ProjectedNetwork(weights.Sphere{Radius: 1}, 2, 1.5, 10, 2, two, rng)
			return err
		},
		"no nets": func() error {
			_, err := kernel.ProjectedNetworks(weights.Sphere{Radius: 1}, 2, 0, 10, 2, two, 0, 1)
			return err
		},
		"huge depth": func() error {
			_, err := kernel.ProjectedNetworks(weights.Sphere{Radius: 1}, 2, 0, 10, kernel.MaxEntries, two, 1, 1)
			return err
		},
		"second moment": func() error {
			_, err := kernel.ProjectedNetwork(weights.Sphere{Radius: 1}, math.Inf(1), 0, 10, 2, two, rng)
			return err
		},
	} {
		if run() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzProjectedNetwork: any arguments give kernels that are finite, or an error.
func FuzzProjectedNetwork(f *testing.F) {
	f.Add(1.0, 0.5, 2.0, 0.2, 3, 2, uint64(1))
	f.Add(1e-150, 1e150, 1e300, 0.0, 1, 4, uint64(2))
	f.Add(0.0, 0.0, 1.0, 1.0, 5, 1, uint64(3))
	f.Fuzz(func(t *testing.T, x, y, m2, a float64, width, depth int, seed uint64) {
		if width > 64 || depth > 8 {
			return
		}
		gs, err := kernel.ProjectedNetwork(weights.Sphere{Radius: 1}, m2, a, width, depth, [][]float64{{x, y}, {y, -x}}, rand.New(rand.NewPCG(seed, 0)))
		if err != nil {
			return
		}
		for _, g := range gs {
			for i := range 2 {
				for j := range 2 {
					if v := g.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
						t.Fatalf("G = %v with a nil error", v)
					}
				}
			}
		}
	})
}

// BenchmarkProjectedNetworks is KER-5's command case (two inputs, width 1000, depth 4, 4096
// Gaussian networks): about 1.6e7 projected rows.
func BenchmarkProjectedNetworks(b *testing.B) {
	in := [][]float64{{1, 0}, {0, 1}}
	for b.Loop() {
		if _, err := kernel.ProjectedNetworks(weights.Gaussian{Scale: 1}, 2, 0, 1000, 4, in, 4096, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSqrtScaled: the closed-form square roots of 1 x 1 and 2 x 2 kernels and the eigen one of
// 3 x 3 square to n G (to 1e-13 relative), a singular 2 x 2 included.
func TestSqrtScaled(t *testing.T) {
	for _, g := range []*mat.SymDense{
		mat.NewSymDense(1, []float64{0.7}),
		mat.NewSymDense(2, []float64{2, 0.5, 0.5, 1}),
		mat.NewSymDense(2, []float64{1, 2, 2, 4}),
		mat.NewSymDense(2, []float64{1e-200, 3e-201, 3e-201, 4e-201}),
		mat.NewSymDense(3, []float64{2, 0.5, 0.1, 0.5, 1, -0.3, 0.1, -0.3, 3}),
	} {
		s, err := kernel.SqrtScaled(g, 7)
		if err != nil {
			t.Fatal(err)
		}
		var sq mat.Dense
		sq.Mul(s, s)
		m := g.SymmetricDim()
		for i := range m {
			for j := range m {
				if want := 7 * g.At(i, j); math.Abs(sq.At(i, j)-want) > 1e-13*7*math.Max(g.At(i, i), g.At(j, j)) {
					t.Errorf("%v: (S S)[%d][%d] = %v, want %v", mat.Formatted(g), i, j, sq.At(i, j), want)
				}
			}
		}
	}
}
