package dae

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dlt5/verify/numeric/orthogonal"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// The tests in this file compute their references with plain loops over [][]float64, so that
// they share no code with the package's gonum-based evaluations.

type grid = [][]float64

func newGrid(r, c int) grid {
	g := make(grid, r)
	for i := range g {
		g[i] = make([]float64, c)
	}
	return g
}

func toGrid(m mat.Matrix) grid {
	r, c := m.Dims()
	g := newGrid(r, c)
	for i := range r {
		for j := range c {
			g[i][j] = m.At(i, j)
		}
	}
	return g
}

func gridMul(a, b grid) grid {
	out := newGrid(len(a), len(b[0]))
	for i := range a {
		for j := range b[0] {
			for k := range b {
				out[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return out
}

// gridClose reports whether m equals g entry by entry within tol (1 + |g_ij|).
func gridClose(m mat.Matrix, g grid, tol float64) bool {
	r, c := m.Dims()
	if r != len(g) || c != len(g[0]) {
		return false
	}
	for i := range r {
		for j := range c {
			if math.Abs(m.At(i, j)-g[i][j]) > tol*(1+math.Abs(g[i][j])) {
				return false
			}
		}
	}
	return true
}

// descend returns W1 - rate (W2^T G + gamma W1) and W2 - rate (G W1^T + gamma W2): a step down the
// gradient whose dL/dP is G.
func descend(g grid, gam, rate float64, w1, w2 grid) (grid, grid) {
	h, d := len(w1), len(w1[0])
	n1, n2 := newGrid(h, d), newGrid(d, h)
	for a := range h {
		for j := range d {
			var s float64
			for i := range d {
				s += w2[i][a] * g[i][j]
			}
			n1[a][j] = w1[a][j] - rate*(s+gam*w1[a][j])
		}
	}
	for i := range d {
		for a := range h {
			var s float64
			for j := range d {
				s += g[i][j] * w1[a][j]
			}
			n2[i][a] = w2[i][a] - rate*(s+gam*w2[i][a])
		}
	}
	return n1, n2
}

// sigmaGrid is the problem's covariance as a dense grid (diag(lambda) in the eigenbasis).
func sigmaGrid(p Problem) grid {
	if p.Sigma != nil {
		return toGrid(p.Sigma)
	}
	s := newGrid(len(p.Lambda), len(p.Lambda))
	for i, l := range p.Lambda {
		s[i][i] = l
	}
	return s
}

// errObserveOrder marks a run whose observe calls were not 0, 1, ..., steps in order.
var errObserveOrder = errors.New("observe out of order")

// inOrder returns an observe for a run of steps steps that stops the run with errObserveOrder
// unless it is called with 0, 1, ..., steps in order (so a run that loops past steps fails at once).
func inOrder(steps int) func(int) error {
	next := 0
	return func(k int) error {
		if k != next || k > steps {
			return fmt.Errorf("%w: step %d, expected %d of 0..%d", errObserveOrder, k, next, steps)
		}
		next++
		return nil
	}
}

// TestGDStepScalar: one step on the 1 x 1 problem lambda = 2, sigma2 = 0.5, gamma = 0.1 from
// w1 = 0.3, w2 = 0.4 at rate 0.1, done by hand: p = 0.12, dL/dw1 = -lambda (1 - p) w2 + sigma2 p w2
// + gamma w1 = -0.65, dL/dw2 = -0.47, so w1 = 0.365, w2 = 0.447; the loss goes down.
func TestGDStepScalar(t *testing.T) {
	p := Problem{Lambda: []float64{2}, Sigma2: 0.5, Gamma: 0.1}
	for _, factored := range []bool{true, false} {
		g, err := NewGD(p, 1, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		g.SetFactored(factored)
		n := Net{W1: mat.NewDense(1, 1, []float64{0.3}), W2: mat.NewDense(1, 1, []float64{0.4})}
		before, _ := p.Loss(n)
		if err := g.Run(n, 1, inOrder(1)); err != nil {
			t.Fatal(err)
		}
		if math.Abs(n.W1.At(0, 0)-0.365) > 1e-15 || math.Abs(n.W2.At(0, 0)-0.447) > 1e-15 {
			t.Fatalf("factored=%v: w1 = %v, w2 = %v after one step, want 0.365, 0.447", factored, n.W1.At(0, 0), n.W2.At(0, 0))
		}
		if after, _ := p.Loss(n); !(after < before) {
			t.Fatalf("factored=%v: loss %v -> %v", factored, before, after)
		}
	}
}

// TestGDStepsByHand: Run(n, steps) equals steps steps of W -= rate dL/dW computed by loops from
// G = P (Sigma + sigma2 I) - Sigma, in pixel space and in the eigenbasis, with either evaluation,
// for steps = 0..3 (to 1e-12).
func TestGDStepsByHand(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 3).Draw(t, "D")
		h := rapid.IntRange(1, d).Draw(t, "H")
		pix, eig, _ := randomProblem(t, d)
		p := pix
		if rapid.Bool().Draw(t, "eigenbasis") {
			p = eig
		}
		rate := rapid.Float64Range(0.01, 0.2).Draw(t, "rate")
		steps := rapid.IntRange(0, 3).Draw(t, "steps")
		n, _ := RandomStart(d, h, 0.5, rapid.Uint64().Draw(t, "net"))
		w1, w2 := toGrid(n.W1), toGrid(n.W2)
		sig := sigmaGrid(p)
		for range steps {
			pp := gridMul(w2, w1)
			g := newGrid(d, d)
			for i := range d {
				for j := range d {
					for k := range d {
						g[i][j] += pp[i][k] * sig[k][j]
					}
					g[i][j] += p.Sigma2*pp[i][j] - sig[i][j]
				}
			}
			w1, w2 = descend(g, p.Gamma, rate, w1, w2)
		}
		gd, err := NewGD(p, h, rate)
		if err != nil {
			t.Fatal(err)
		}
		gd.SetFactored(rapid.Bool().Draw(t, "factored"))
		if err := gd.Run(n, steps, inOrder(steps)); err != nil {
			t.Fatal(err)
		}
		if !gridClose(n.W1, w1, 1e-12) || !gridClose(n.W2, w2, 1e-12) {
			t.Fatalf("after %d steps: W1 %v W2 %v, by hand %v %v", steps, n.W1.RawMatrix().Data, n.W2.RawMatrix().Data, w1, w2)
		}
	})
}

// TestRunObserve: GD.Run and SGD.Run call observe with 0, 1, ..., steps in order (once, with 0,
// for steps = 0, leaving the net unchanged); an error from observe at step k stops the run there
// (the net is the k-step net) and is returned; steps = -1 is an error.
func TestRunObserve(t *testing.T) {
	p := Problem{Lambda: []float64{2, 1}, Sigma2: 0.5, Gamma: 0.05}
	x, err := ExactData(p.Lambda, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	sgd := SGD{X: x, Sigma2: 0.5, Gamma: 0.05, Rate: 0.1}
	gd, err := NewGD(p, 1, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	runners := map[string]func(n Net, steps int, observe func(int) error) error{
		"GD":  gd.Run,
		"SGD": func(n Net, steps int, observe func(int) error) error { return sgd.Run(n, steps, 9, observe) },
	}
	for name, run := range runners {
		for _, steps := range []int{1, 4, 0} {
			n, _ := RandomStart(2, 1, 0.3, 1)
			start := n.Clone()
			var seen []int
			observe := func(k int) error {
				seen = append(seen, k)
				if k != len(seen)-1 || k > steps {
					return fmt.Errorf("observed %v", seen) // stop a run gone wrong
				}
				return nil
			}
			if err := run(n, steps, observe); err != nil {
				t.Fatalf("%s, %d steps: %v", name, steps, err)
			}
			want := make([]int, steps+1)
			for i := range want {
				want[i] = i
			}
			if !slices.Equal(seen, want) {
				t.Fatalf("%s, %d steps: observed %v", name, steps, seen)
			}
			if moved := !mat.Equal(n.W1, start.W1) || !mat.Equal(n.W2, start.W2); moved != (steps > 0) {
				t.Fatalf("%s, %d steps: net moved = %v", name, steps, moved)
			}
		}
		stop := errors.New("stop")
		for _, at := range []int{0, 2} {
			n, _ := RandomStart(2, 1, 0.3, 1)
			ref := n.Clone()
			var seen []int
			err := run(n, 5, func(k int) error {
				seen = append(seen, k)
				if k == at {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || len(seen) != at+1 {
				t.Fatalf("%s, stop at %d: err %v, observed %v", name, at, err, seen)
			}
			if err := run(ref, at, inOrder(at)); err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(n.W1, ref.W1) || !mat.Equal(n.W2, ref.W2) {
				t.Fatalf("%s, stopped at %d: the net is not the %d-step net", name, at, at)
			}
		}
		n, _ := RandomStart(2, 1, 0.3, 1)
		if err := run(n, -1, nil); err == nil {
			t.Errorf("%s: steps = -1 accepted", name)
		}
		if err := run(n, 0, nil); err != nil {
			t.Errorf("%s: steps = 0 without observe: %v", name, err)
		}
	}
}

// TestNewGDBoundaries: width H = D is allowed, H = D + 1 and H = 0 are not; the rate must be > 0
// and finite (0, -0.1, NaN, Inf rejected; 1e-300 allowed); Sigma with a NaN or Inf entry, on or off
// the diagonal, is rejected; a net of another width is rejected by Gradient and Run.
func TestNewGDBoundaries(t *testing.T) {
	eig := Problem{Lambda: []float64{1, 0.5, 0.2}}
	for h, ok := range map[int]bool{0: false, 1: true, 3: true, 4: false} {
		if _, err := NewGD(eig, h, 0.1); (err == nil) != ok {
			t.Errorf("H = %d for D = 3: err %v", h, err)
		}
	}
	for _, rate := range []float64{0, -0.1, math.NaN(), math.Inf(1)} {
		if _, err := NewGD(eig, 1, rate); err == nil {
			t.Errorf("rate %v accepted", rate)
		}
	}
	if _, err := NewGD(eig, 1, 1e-300); err != nil {
		t.Errorf("rate 1e-300: %v", err)
	}
	for _, at := range [][2]int{{0, 1}, {2, 2}, {0, 0}} {
		for _, bad := range []float64{math.NaN(), math.Inf(-1)} {
			s := mat.NewSymDense(3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1})
			s.SetSym(at[0], at[1], bad)
			if _, err := NewGD(Problem{Sigma: s}, 1, 0.1); err == nil {
				t.Errorf("Sigma[%d][%d] = %v accepted", at[0], at[1], bad)
			}
		}
	}
	g, err := NewGD(eig, 2, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	wide, _ := RandomStart(3, 3, 0.1, 1)
	if _, _, err := g.Gradient(wide); err == nil {
		t.Error("Gradient accepted a net of width 3 for a stepper of width 2")
	}
	if err := g.Run(wide, 1, nil); err == nil {
		t.Error("Run accepted a net of width 3 for a stepper of width 2")
	}
	if _, _, err := g.Gradient(Net{}); err == nil {
		t.Error("Gradient accepted an empty net")
	}
}

// TestGDOverflow: a gradient beyond float64 is ErrNotFinite, and a run at a rate far beyond the
// stable 1/lambda is ErrDiverged.
func TestGDOverflow(t *testing.T) {
	p := Problem{Lambda: []float64{1, 0.5}, Sigma2: 0.1}
	g, err := NewGD(p, 1, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	big := Net{W1: mat.NewDense(1, 2, []float64{1e200, 1e200}), W2: mat.NewDense(2, 1, []float64{1e200, 1e200})}
	if _, _, err := g.Gradient(big); !errors.Is(err, ErrNotFinite) {
		t.Errorf("gradient at weights 1e200: %v", err)
	}
	g, _ = NewGD(p, 1, 50)
	n, _ := RandomStart(2, 1, 1, 1)
	if err := g.Run(n, 1000, nil); !errors.Is(err, ErrDiverged) {
		t.Errorf("rate 50: %v", err)
	}
	x, _ := ExactData(p.Lambda, 2, 1)
	n, _ = RandomStart(2, 1, 1, 1)
	if err := (SGD{X: x, Sigma2: 0.1, Rate: 50}).Run(n, 1000, 1, nil); !errors.Is(err, ErrDiverged) {
		t.Errorf("SGD at rate 50: %v", err)
	}
}

// TestFlopsAndChoice: Flops is the sum of m k n over each evaluation's matrix products (listed here
// one by one; Sigma W is a row scaling in the eigenbasis, not a product), and NewGD takes the
// factored evaluation exactly when Flops says it is cheaper in the problem's space (pixel space
// and the eigenbasis choose differently at D = 10, H = 7). Ties, where either is as cheap, are
// skipped.
func TestFlopsAndChoice(t *testing.T) {
	mkn := func(m, k, n int) int { return m * k * n }
	for d := 1; d <= 12; d++ {
		for h := 1; h <= d; h++ {
			// The product form: P = W2 W1, G W1^T, W2^T G, and in pixel space P Sigma.
			prodEig := mkn(d, h, d) + mkn(d, d, h) + mkn(h, d, d)
			prodPix := prodEig + mkn(d, d, d)
			// The factored form: W1 S1, W2 (W1 S1), W2^T W2, (W2^T W2) S1^T, and in pixel space
			// Sigma W1^T and Sigma W2.
			factEig := mkn(h, d, h) + mkn(d, h, h) + mkn(h, d, h) + mkn(h, h, d)
			factPix := factEig + mkn(d, d, h) + mkn(d, d, h)
			if a, b, err := Flops(d, h, true); err != nil || a != prodEig || b != factEig {
				t.Fatalf("Flops(%d, %d, eigenbasis) = %d, %d, %v; want %d, %d", d, h, a, b, err, prodEig, factEig)
			}
			if a, b, err := Flops(d, h, false); err != nil || a != prodPix || b != factPix {
				t.Fatalf("Flops(%d, %d, pixel) = %d, %d, %v; want %d, %d", d, h, a, b, err, prodPix, factPix)
			}
			lam := make([]float64, d)
			for i := range lam {
				lam[i] = 1
			}
			for _, c := range []struct {
				p          Problem
				prod, fact int
			}{{Problem{Lambda: lam}, prodEig, factEig}, {Problem{Sigma: mat.NewSymDense(d, nil)}, prodPix, factPix}} {
				if c.prod == c.fact {
					continue
				}
				g, err := NewGD(c.p, h, 0.1)
				if err != nil {
					t.Fatal(err)
				}
				if g.factored != (c.fact < c.prod) {
					t.Fatalf("D = %d, H = %d, eigenbasis %v: factored = %v with %d against %d multiply-adds", d, h, c.p.Sigma == nil, g.factored, c.fact, c.prod)
				}
			}
		}
	}
	ge, _ := NewGD(Problem{Lambda: make([]float64, 10)}, 7, 0.1)
	gp, _ := NewGD(Problem{Sigma: mat.NewSymDense(10, nil)}, 7, 0.1)
	if !ge.factored || gp.factored {
		t.Errorf("D = 10, H = 7: factored %v in the eigenbasis, %v in pixel space; want true, false", ge.factored, gp.factored)
	}
}

// TestStrengthsAndBalancedU0: Strengths(v, k)_i = v_i^T W2 W1 v_i with W2 W1 formed by loops (v
// Haar or nil, the identity), and BalancedU0 = sum_ij (W1_ij + W2_ji)^2 / (4 D) by loops, to 1e-12;
// k = D is allowed, k = 0 and k = D + 1 are not.
func TestStrengthsAndBalancedU0(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 5).Draw(t, "D")
		h := rapid.IntRange(1, d).Draw(t, "H")
		k := rapid.IntRange(1, d).Draw(t, "k")
		n, _ := RandomStart(d, h, 0.7, rapid.Uint64().Draw(t, "net"))
		var v *mat.Dense
		vg := newGrid(d, d)
		if rapid.Bool().Draw(t, "rotated") {
			v, _ = orthogonal.Haar(rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "V"), 2)), d)
			vg = toGrid(v)
		} else {
			for i := range d {
				vg[i][i] = 1
			}
		}
		pp := gridMul(toGrid(n.W2), toGrid(n.W1))
		u, err := n.Strengths(v, k)
		if err != nil || len(u) != k {
			t.Fatalf("Strengths: %v, %v", u, err)
		}
		for i := range k {
			var want float64
			for a := range d {
				for b := range d {
					want += vg[a][i] * pp[a][b] * vg[b][i]
				}
			}
			if math.Abs(u[i]-want) > 1e-12*(1+math.Abs(want)) {
				t.Fatalf("strength %d = %v, by loops %v", i, u[i], want)
			}
		}
		var s float64
		for a := range h {
			for j := range d {
				e := n.W1.At(a, j) + n.W2.At(j, a)
				s += e * e
			}
		}
		want := s / (4 * float64(d))
		if got, err := n.BalancedU0(); err != nil || math.Abs(got-want) > 1e-12*want {
			t.Fatalf("BalancedU0 = %v (%v), by loops %v", got, err, want)
		}
		for _, bad := range []int{0, d + 1} {
			if _, err := n.Strengths(v, bad); err == nil {
				t.Fatalf("k = %d of D = %d accepted", bad, d)
			}
		}
		if _, err := n.Strengths(v, d); err != nil {
			t.Fatalf("k = D: %v", err)
		}
	})
	n, _ := RandomStart(3, 2, 0.5, 1)
	if _, err := n.Strengths(mat.NewDense(3, 1, nil), 2); err == nil {
		t.Error("Strengths accepted 2 modes of a 3 x 1 V")
	}
	if _, err := n.Strengths(mat.NewDense(2, 3, nil), 1); err == nil {
		t.Error("Strengths accepted a 2 x 3 V for D = 3")
	}
	for _, bad := range []Net{{}, {W1: n.W1}, {W1: n.W1, W2: mat.NewDense(2, 2, nil)}} {
		if _, err := bad.Strengths(nil, 1); err == nil {
			t.Errorf("Strengths of %v accepted", bad)
		}
		if _, err := bad.BalancedU0(); err == nil {
			t.Errorf("BalancedU0 of %v accepted", bad)
		}
	}
}

// TestStartBoundaries: a start strength must be > 0 and finite (0, -1, Inf, NaN rejected; 1e-300
// allowed), H = D strengths are allowed and H = D + 1 are not; a random start's scale likewise
// (0 rejected, 1e-300 allowed), and D, H >= 1.
func TestStartBoundaries(t *testing.T) {
	for _, u := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if _, err := Decoupled(2, nil, []float64{0.5, u}, 1); err == nil {
			t.Errorf("start strength %v accepted", u)
		}
	}
	if _, err := Decoupled(2, nil, []float64{0.5, 1e-300}, 1); err != nil {
		t.Errorf("start strength 1e-300: %v", err)
	}
	if _, err := Decoupled(2, nil, []float64{0.5, 0.5, 0.5}, 1); err == nil {
		t.Error("3 start strengths for D = 2 accepted")
	}
	if _, err := Decoupled(2, nil, nil, 1); err == nil {
		t.Error("no start strengths accepted")
	}
	if _, err := Decoupled(3, mat.NewDense(3, 2, nil), []float64{1}, 1); err == nil {
		t.Error("a 3 x 2 V accepted")
	}
	for _, s := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if _, err := RandomStart(2, 1, s, 1); err == nil {
			t.Errorf("start scale %v accepted", s)
		}
	}
	if n, err := RandomStart(2, 1, 1e-300, 1); err != nil || n.W1.At(0, 0) == 0 {
		t.Errorf("start scale 1e-300: %v", err)
	}
	for _, dh := range [][2]int{{0, 1}, {1, 0}} {
		if _, err := RandomStart(dh[0], dh[1], 1, 1); err == nil {
			t.Errorf("D = %d, H = %d accepted", dh[0], dh[1])
		}
	}
}

// TestNoiseSamplesByLoops: for a fixed seed, re-drawing the same normals (PCG(seed, 0x1015e),
// d per sample, e = sqrt(sigma2) z), each sample is the mean over e and -e (antithetic) or the value
// at e alone of |x - W (x + e)|^2 and of -2 (x - W (x + e))^T dir (x + e), computed by loops
// (to 1e-12); with sigma2 = 0 every sample is the noiseless |x - W x|^2.
func TestNoiseSamplesByLoops(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 3).Draw(t, "D")
		pairs := rapid.IntRange(2, 4).Draw(t, "pairs")
		anti := rapid.Bool().Draw(t, "antithetic")
		seed := rapid.Uint64().Draw(t, "seed")
		s2 := rapid.SampledFrom([]float64{0, 0.3, 2}).Draw(t, "sigma2")
		entry := func(name string) float64 { return rapid.Float64Range(-1, 1).Draw(t, name) }
		x := make([]float64, d)
		for i := range x {
			x[i] = entry("x")
		}
		wg := newGrid(d, d)
		for i := range d {
			for j := range d {
				wg[i][j] = entry("W")
			}
		}
		dirs := make([]*mat.Dense, rapid.IntRange(0, 2).Draw(t, "dirs"))
		for k := range dirs {
			dirs[k] = mat.NewDense(d, d, nil)
			for i := range d {
				for j := range d {
					dirs[k].Set(i, j, entry("dir"))
				}
			}
		}
		w := mat.NewDense(d, d, nil)
		for i := range d {
			for j := range d {
				w.Set(i, j, wg[i][j])
			}
		}
		loss, grad, err := NoiseSamples(w, x, s2, dirs, pairs, anti, seed)
		if err != nil {
			t.Fatal(err)
		}
		if len(loss) != pairs || len(grad) != len(dirs) {
			t.Fatalf("%d samples and %d gradients", len(loss), len(grad))
		}
		rng := rand.New(rand.NewPCG(seed, 0x1015e))
		signs := []float64{1}
		if anti {
			signs = append(signs, -1)
		}
		for p := range pairs {
			e := make([]float64, d)
			for i := range e {
				e[i] = math.Sqrt(s2) * rng.NormFloat64()
			}
			var l float64
			g := make([]float64, len(dirs))
			for _, sign := range signs {
				xt := make([]float64, d)
				for i := range d {
					xt[i] = x[i] + sign*e[i]
				}
				res := make([]float64, d)
				for i := range d {
					res[i] = x[i]
					for j := range d {
						res[i] -= wg[i][j] * xt[j]
					}
					l += res[i] * res[i] / float64(len(signs))
				}
				for k, dir := range dirs {
					for i := range d {
						for j := range d {
							g[k] += -2 * res[i] * dir.At(i, j) * xt[j] / float64(len(signs))
						}
					}
				}
			}
			if math.Abs(loss[p]-l) > 1e-12*(1+l) {
				t.Fatalf("sample %d: loss %v, by loops %v", p, loss[p], l)
			}
			for k := range dirs {
				if math.Abs(grad[k][p]-g[k]) > 1e-12*(1+math.Abs(g[k])) {
					t.Fatalf("sample %d, direction %d: %v, by loops %v", p, k, grad[k][p], g[k])
				}
			}
		}
	})
}

// TestNoiseSamplesErrors: each documented error at its boundary (pairs = 2 and sigma2 = 0 allowed,
// pairs = 1 and sigma2 < 0 not), non-finite inputs, and a result beyond float64 (ErrNotFinite).
func TestNoiseSamplesErrors(t *testing.T) {
	w := mat.NewDense(2, 2, []float64{0.5, 0.1, 0, 0.3})
	x := []float64{1, -1}
	dir := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	if _, _, err := NoiseSamples(w, x, 0, []*mat.Dense{dir}, 2, true, 1); err != nil {
		t.Errorf("pairs = 2, sigma2 = 0: %v", err)
	}
	type args struct {
		w      *mat.Dense
		x      []float64
		sigma2 float64
		dirs   []*mat.Dense
		pairs  int
	}
	for name, a := range map[string]args{
		"nil W":           {nil, x, 1, nil, 2},
		"W 2x3":           {mat.NewDense(2, 3, nil), x, 1, nil, 2},
		"W 3x2":           {mat.NewDense(3, 2, nil), x, 1, nil, 2},
		"W 3x3":           {mat.NewDense(3, 3, nil), x, 1, nil, 2},
		"x empty":         {mat.NewDense(1, 1, nil), nil, 1, nil, 2},
		"x NaN":           {w, []float64{math.NaN(), 1}, 1, nil, 2},
		"W Inf":           {mat.NewDense(2, 2, []float64{0, math.Inf(1), 0, 0}), x, 1, nil, 2},
		"sigma2 < 0":      {w, x, -1e-300, nil, 2},
		"sigma2 NaN":      {w, x, math.NaN(), nil, 2},
		"sigma2 Inf":      {w, x, math.Inf(1), nil, 2},
		"one pair":        {w, x, 1, nil, 1},
		"nil direction":   {w, x, 1, []*mat.Dense{dir, nil}, 2},
		"direction 2x3":   {w, x, 1, []*mat.Dense{mat.NewDense(2, 3, nil)}, 2},
		"direction 3x2":   {w, x, 1, []*mat.Dense{mat.NewDense(3, 2, nil)}, 2},
		"result overflow": {mat.NewDense(2, 2, []float64{1e300, 0, 0, 1e300}), []float64{1e10, 1e10}, 1, []*mat.Dense{dir}, 2},
	} {
		if _, _, err := NoiseSamples(a.w, a.x, a.sigma2, a.dirs, a.pairs, true, 1); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name == "result overflow" && !errors.Is(err, ErrNotFinite) {
			t.Errorf("%s: %v, want ErrNotFinite", name, err)
		}
	}
	// The gradient alone overflows: a direction of 1e300 with a finite loss.
	huge := mat.NewDense(2, 2, []float64{1e300, 1e300, 1e300, 1e300})
	if _, _, err := NoiseSamples(w, []float64{1e10, 1e10}, 0, []*mat.Dense{dir, huge}, 2, false, 1); !errors.Is(err, ErrNotFinite) {
		t.Errorf("gradient overflow: %v, want ErrNotFinite", err)
	}
}

// TestSGDStepsByHand: SGD.Run equals steps by loops: re-drawing the noise (PCG(seed, 0x59d), row by
// row, e = sqrt(sigma2) z), x~ = x + e, G = (1/m) sum_m (P x~ x~^T - x x~^T), W -= rate (dL/dW +
// gamma W) (to 1e-12).
func TestSGDStepsByHand(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 3).Draw(t, "D")
		h := rapid.IntRange(1, d).Draw(t, "H")
		m := rapid.IntRange(1, 4).Draw(t, "m")
		xg := newGrid(m, d)
		x := mat.NewDense(m, d, nil)
		for i := range m {
			for j := range d {
				xg[i][j] = rapid.Float64Range(-1, 1).Draw(t, "x")
				x.Set(i, j, xg[i][j])
			}
		}
		s := SGD{
			X:      x,
			Sigma2: rapid.Float64Range(0.01, 1).Draw(t, "sigma2"),
			Gamma:  rapid.Float64Range(0, 0.5).Draw(t, "gamma"),
			Rate:   rapid.Float64Range(0.01, 0.1).Draw(t, "rate"),
		}
		steps := rapid.IntRange(0, 3).Draw(t, "steps")
		seed := rapid.Uint64().Draw(t, "seed")
		n, _ := RandomStart(d, h, 0.5, rapid.Uint64().Draw(t, "net"))
		w1, w2 := toGrid(n.W1), toGrid(n.W2)
		rng := rand.New(rand.NewPCG(seed, 0x59d))
		for range steps {
			xt := newGrid(m, d)
			for i := range m {
				for j := range d {
					xt[i][j] = xg[i][j] + math.Sqrt(s.Sigma2)*rng.NormFloat64()
				}
			}
			pp := gridMul(w2, w1)
			g := newGrid(d, d)
			for r := range m {
				for a := range d {
					var px float64 // (P x~)_a
					for c := range d {
						px += pp[a][c] * xt[r][c]
					}
					for b := range d {
						g[a][b] += (px - xg[r][a]) * xt[r][b] / float64(m)
					}
				}
			}
			w1, w2 = descend(g, s.Gamma, s.Rate, w1, w2)
		}
		if err := s.Run(n, steps, seed, inOrder(steps)); err != nil {
			t.Fatal(err)
		}
		if !gridClose(n.W1, w1, 1e-12) || !gridClose(n.W2, w2, 1e-12) {
			t.Fatalf("after %d steps: W1 %v W2 %v, by hand %v %v", steps, n.W1.RawMatrix().Data, n.W2.RawMatrix().Data, w1, w2)
		}
	})
}

// TestSGDErrors: X nil or not finite, sigma2 or gamma < 0 or not finite, a rate not > 0 or not
// finite (0 rejected, 1e-300 allowed), a net of another dimension.
func TestSGDErrors(t *testing.T) {
	x := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	n, _ := RandomStart(2, 1, 0.1, 1)
	for name, s := range map[string]SGD{
		"nil X":      {Rate: 0.1},
		"NaN in X":   {X: mat.NewDense(1, 2, []float64{0, math.NaN()}), Rate: 0.1},
		"sigma2 < 0": {X: x, Sigma2: -1e-300, Rate: 0.1},
		"sigma2 Inf": {X: x, Sigma2: math.Inf(1), Rate: 0.1},
		"gamma < 0":  {X: x, Gamma: -1e-300, Rate: 0.1},
		"gamma NaN":  {X: x, Gamma: math.NaN(), Rate: 0.1},
		"rate 0":     {X: x},
		"rate < 0":   {X: x, Rate: -0.1},
		"rate NaN":   {X: x, Rate: math.NaN()},
		"rate Inf":   {X: x, Rate: math.Inf(1)},
	} {
		if err := s.Run(n.Clone(), 1, 1, inOrder(1)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := (SGD{X: x, Rate: 1e-300}).Run(n.Clone(), 1, 1, inOrder(1)); err != nil {
		t.Errorf("rate 1e-300: %v", err)
	}
	other, _ := RandomStart(3, 1, 0.1, 1)
	if err := (SGD{X: x, Rate: 0.1}).Run(other, 1, 1, nil); err == nil {
		t.Error("a net of dimension 3 for data of dimension 2 accepted")
	}
}

// TestExactDataBoundaries: n = D is allowed (and exact), n = D - 1 is not; lambda empty, negative
// or NaN is rejected; data beyond float64 are ErrNotFinite.
func TestExactDataBoundaries(t *testing.T) {
	lam := []float64{2, 0.5, 1}
	x, err := ExactData(lam, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	xg := toGrid(x)
	for i := range 3 {
		for j := range 3 {
			var c float64
			for r := range 3 {
				c += xg[r][i] * xg[r][j] / 3
			}
			want := 0.0
			if i == j {
				want = lam[i]
			}
			if math.Abs(c-want) > 1e-12 {
				t.Fatalf("n = D: covariance [%d][%d] = %v, want %v", i, j, c, want)
			}
		}
	}
	for name, c := range map[string]struct {
		lam []float64
		n   int
	}{"n = D - 1": {lam, 2}, "empty": {nil, 3}, "negative": {[]float64{1, -1e-300}, 3}, "NaN": {[]float64{math.NaN()}, 3}} {
		if _, err := ExactData(c.lam, c.n, 1); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ExactData([]float64{1e308}, 10, 1); !errors.Is(err, ErrNotFinite) {
		t.Errorf("n lambda beyond float64: %v, want ErrNotFinite", err)
	}
}

// TestDecodeImagesBoundaries: a nil reader is an error; sides of maxSide are allowed and maxSide + 1
// are not (rows and columns each); max equal to or above the count, or <= 0, reads all.
func TestDecodeImagesBoundaries(t *testing.T) {
	if _, err := DecodeImages(nil, 0); err == nil {
		t.Error("a nil reader accepted")
	}
	side := make([]byte, maxSide)
	for _, rc := range [][2]uint32{{maxSide, 1}, {1, maxSide}} {
		im, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, 1, rc[0], rc[1], side)), 0)
		if err != nil || im.Rows != int(rc[0]) || im.Cols != int(rc[1]) || len(im.Pix) != maxSide {
			t.Errorf("%d x %d images: %v", rc[0], rc[1], err)
		}
		over := append(slices.Clone(side), 0)
		r, c := rc[0]+rc[0]/maxSide, rc[1]+rc[1]/maxSide // the long side + 1
		if _, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, 1, r, c, over)), 0); err == nil {
			t.Errorf("%d x %d images accepted", r, c)
		}
	}
	body := []byte{1, 2, 3, 4, 5, 6}
	for max, want := range map[int]int{-1: 3, 0: 3, 1: 1, 2: 2, 3: 3, 4: 3} {
		im, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, 3, 1, 2, body)), max)
		if err != nil || im.N != want || len(im.Pix) != 2*want {
			t.Errorf("max %d of 3: %+v, %v", max, im, err)
		}
	}
}

// TestDecodeImagesChunks: an image larger than one read chunk (1025 x 1024 bytes: a full chunk, then
// 1024 bytes) decodes every pixel as byte / 255 from a body of exactly that length; a body that ends
// after the first of two chunk-sized images is an error wrapping io.ErrUnexpectedEOF that says
// "after 1 of 2 images".
func TestDecodeImagesChunks(t *testing.T) {
	body := make([]byte, 1025*1024)
	for i := range body {
		body[i] = byte(i*7 + i/251)
	}
	im, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, 1, 1025, 1024, body)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Pix) != len(body) {
		t.Fatalf("%d pixels, want %d", len(im.Pix), len(body))
	}
	for i, b := range body {
		if im.Pix[i] != float64(b)/255 {
			t.Fatalf("pixel %d = %v, want %v", i, im.Pix[i], float64(b)/255)
		}
	}
	_, err = DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, 2, 1024, 1024, body)), 0)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "after 1 of 2 images") {
		t.Fatalf("truncated in the second image: %v", err)
	}
}

// TestPoolByLoops: each pooled pixel is the mean of its k x k block, computed by loops (to 1e-15),
// on (r/k) x (c/k) images; k equal to both sides is allowed.
func TestPoolByLoops(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		im, k := drawImages(t, 3)
		n, r, c, pix := im.N, im.Rows, im.Cols, im.Pix
		p, err := (&Images{N: n, Rows: r, Cols: c, Pix: pix}).Pool(k)
		if err != nil {
			t.Fatal(err)
		}
		if p.N != n || p.Rows != r/k || p.Cols != c/k || len(p.Pix) != n*(r/k)*(c/k) {
			t.Fatalf("pooled %d x %d x %d (%d pixels) from %d x %d x %d by %d", p.N, p.Rows, p.Cols, len(p.Pix), n, r, c, k)
		}
		for m := range n {
			for a := range r / k {
				for b := range c / k {
					var s float64
					for i := range k {
						for j := range k {
							s += pix[m*r*c+(a*k+i)*c+b*k+j]
						}
					}
					if got := p.Pix[m*(r/k)*(c/k)+a*(c/k)+b]; math.Abs(got-s/float64(k*k)) > 1e-15 {
						t.Fatalf("image %d, block (%d, %d): %v, mean by loops %v", m, a, b, got, s/float64(k*k))
					}
				}
			}
		}
	})
}

// TestPoolErrors: k < 1, k dividing one side only, and malformed images (nil, N = 0, a side above
// maxSide, a pixel count one off or a whole image more) are errors; a side of maxSide is allowed.
func TestPoolErrors(t *testing.T) {
	ok := &Images{N: 2, Rows: 4, Cols: 6, Pix: make([]float64, 48)}
	for _, k := range []int{-1, 0, 3, 4} { // 3 divides the columns only, 4 the rows only
		if _, err := ok.Pool(k); err == nil {
			t.Errorf("k = %d for 4 x 6 images accepted", k)
		}
	}
	if p, err := (&Images{N: 1, Rows: 2, Cols: 2, Pix: []float64{0.1, 0.2, 0.3, 0.4}}).Pool(2); err != nil || p.Rows != 1 || math.Abs(p.Pix[0]-0.25) > 1e-15 {
		t.Errorf("k = side: %+v, %v", p, err)
	}
	for _, rc := range [][2]int{{maxSide, 1}, {1, maxSide}} {
		if _, err := (&Images{N: 1, Rows: rc[0], Cols: rc[1], Pix: make([]float64, maxSide)}).Pool(1); err != nil {
			t.Errorf("%d x %d images: %v", rc[0], rc[1], err)
		}
	}
	for name, im := range map[string]*Images{
		"nil":          nil,
		"N = 0":        {N: 0, Rows: 2, Cols: 2},
		"Rows = 0":     {N: 1, Rows: 0, Cols: 2},
		"Cols = 0":     {N: 1, Rows: 2, Cols: 0},
		"side > max":   {N: 1, Rows: maxSide + 1, Cols: 1, Pix: make([]float64, maxSide+1)},
		"one pixel +":  {N: 1, Rows: 2, Cols: 2, Pix: make([]float64, 5)},
		"one pixel -":  {N: 1, Rows: 2, Cols: 2, Pix: make([]float64, 3)},
		"an image +":   {N: 1, Rows: 2, Cols: 2, Pix: make([]float64, 8)},
		"cols > max":   {N: 1, Rows: 1, Cols: maxSide + 1, Pix: make([]float64, maxSide+1)},
		"N negative":   {N: -1, Rows: 1, Cols: 1, Pix: nil},
		"two images -": {N: 2, Rows: 2, Cols: 2, Pix: make([]float64, 7)},
	} {
		if _, err := im.Pool(1); err == nil {
			t.Errorf("%s: pooled", name)
		}
		if _, _, _, err := im.Covariance(); err == nil {
			t.Errorf("%s: covariance taken", name)
		}
	}
}
