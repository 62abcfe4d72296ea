package orthogonal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// TestReflectionsIsOrthogonal: Q^T Q = I to 8 n eps at every size 1..64. The bound is measured,
// not derived (the worst-case bound for a product of n reflections is of order n^2 eps): the
// largest error seen is 2 n eps at n = 2 and 0.035 n eps at n = 300.
func TestReflectionsIsOrthogonal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 64).Draw(t, "n")
		q, err := Reflections(rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 0)), n)
		if err != nil {
			t.Fatal(err)
		}
		if d := orthogonalityError(q); !(d <= 8*float64(n)*0x1p-52) {
			t.Fatalf("n = %d: max |Q^T Q - I| = %.3g", n, d)
		}
	})
	for _, n := range []int{0, -1, MaxN + 1} {
		if _, err := Reflections(rand.New(rand.NewPCG(1, 1)), n); err == nil {
			t.Errorf("n = %d accepted", n)
		}
	}
	if _, err := Reflections(nil, 3); err == nil {
		t.Error("a nil rng accepted")
	}
}

func orthogonalityError(q *mat.Dense) float64 {
	n, _ := q.Dims()
	var qtq mat.Dense
	qtq.Mul(q.T(), q)
	worst := 0.0
	for i := range n {
		qtq.Set(i, i, qtq.At(i, i)-1)
		for j := range n {
			worst = math.Max(worst, math.Abs(qtq.At(i, j)))
		}
	}
	return worst
}

// haarStatistics are functions of Q with exactly known means under the Haar measure on O(n),
// n >= 2, named with 1-based indices: every entry (mean 0, by Q -> D Q for sign diagonals D),
// its square (1/n: each column is uniform on the sphere) and its fourth power (3/(n(n+2)), the
// sphere's fourth moment); det Q (0: Q -> Q diag(1, .., 1, -1) flips it) and det Q . Q_11 (0,
// the same map, for n >= 2); (tr Q)^2 and tr(Q^2) (both 1, Diaconis and Shahshahani 1994).
// Together they see a biased entry, an entry law that is not the sphere's (the fourth moments: a
// random signed permutation matches every second moment), a sign that follows an entry, and a law
// on SO(n) alone.
func haarStatistics(q *mat.Dense) (names []string, values, means []float64) {
	n, _ := q.Dims()
	nf := float64(n)
	add := func(name string, v, mean float64) {
		names, values, means = append(names, name), append(values, v), append(means, mean)
	}
	for i := range n {
		for j := range n {
			x := q.At(i, j)
			add(fmt.Sprintf("Q_%d%d", i+1, j+1), x, 0)
			add(fmt.Sprintf("Q_%d%d^2", i+1, j+1), x*x, 1/nf)
			add(fmt.Sprintf("Q_%d%d^4", i+1, j+1), x*x*x*x, 3/(nf*(nf+2)))
		}
	}
	det := mat.Det(q)
	add("det Q", det, 0)
	add("det Q . Q_11", det*q.At(0, 0), 0)
	var q2 mat.Dense
	q2.Mul(q, q)
	add("(tr Q)^2", mat.Trace(q)*mat.Trace(q), 1)
	add("tr(Q^2)", mat.Trace(&q2), 1)
	return names, values, means
}

// haarRejects returns the statistics whose mean over draws Q = draw() is more than z = 6.5
// standard errors from its Haar value (the suite's z: 318 comparisons in this file must pass, each
// with two-sided tail 8e-11). The sample variance is clamped at 0 (it can round below 0 for a
// statistic that is constant, such as det under a law on SO(n)): a constant statistic away from
// its Haar value is rejected, not passed on a NaN SE.
func haarRejects(draw func() (*mat.Dense, error), draws int) ([]string, error) {
	var sum, sum2, means []float64
	var names []string
	for range draws {
		q, err := draw()
		if err != nil {
			return nil, err
		}
		nm, v, m := haarStatistics(q)
		if sum == nil {
			names, means, sum, sum2 = nm, m, make([]float64, len(v)), make([]float64, len(v))
		}
		for i, x := range v {
			sum[i] += x
			sum2[i] += x * x
		}
	}
	var out []string
	for i := range sum {
		mean := sum[i] / float64(draws)
		se := math.Sqrt(math.Max(sum2[i]/float64(draws)-mean*mean, 0) / float64(draws))
		if !(math.Abs(mean-means[i]) <= 6.5*se) {
			out = append(out, fmt.Sprintf("%s: mean %.4f, Haar %.4f, SE %.4f", names[i], mean, means[i], se))
		}
	}
	return out, nil
}

// TestReflectionsHaar: 4000 draws of Reflections at n = 2, 3 and 6 match every Haar moment of
// haarStatistics; so do 4000 of Haar's QR route (which checks the moments themselves). The SEs
// are about 0.011 (n = 2) to 0.007 (n = 6) for an entry and about 0.016-0.03 for the traces and
// det . Q_11, so the test sees a bias in any of them above about 0.05-0.2 (6.5 SE).
//
// Negative controls, orthogonal matrices that are not Haar and that the same test must reject at
// every size: QR's Q without R's signs (its diagonal's mean is near -0.5), a Haar Q with its
// determinant forced to +1 (Haar on SO(n): det has mean 1, and at n = 2 (tr Q)^2 has mean 2), a
// Haar Q whose first column is turned into the half-space Q_11 >= 0 (the law of Reflections
// without its -s, where Q_11 = -|u_1|, turned around), and a random signed permutation (every
// second moment right, the fourth wrong). A fifth, Reflections fed uniform draws on [-1, 1]
// instead of Gaussian ones (u then not uniform on the sphere), must be rejected at n = 6.
func TestReflectionsHaar(t *testing.T) {
	const draws = 4000
	sizes := []int{2, 3, 6}
	if testing.Short() { // n = 6 is 0.7 s of -short's 1.4 s here; the full go test runs it
		sizes = sizes[:2]
	}
	for _, n := range sizes {
		t.Run(fmt.Sprint("n=", n), func(t *testing.T) {
			t.Parallel()
			haarAt(t, n, draws)
		})
	}
}

// haarAt runs TestReflectionsHaar's samplers at size n.
func haarAt(t *testing.T, n, draws int) {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	samplers := []struct {
		name string
		haar bool
		draw func() (*mat.Dense, error)
	}{
		{"Reflections", true, func() (*mat.Dense, error) { return Reflections(rng, n) }},
		{"Haar (QR)", true, func() (*mat.Dense, error) { return Haar(rng, n) }},
		{"QR without R's signs", false, func() (*mat.Dense, error) { return rawQR(rng, n), nil }},
		{"det forced to +1", false, func() (*mat.Dense, error) {
			q, err := Reflections(rng, n)
			if err == nil && mat.Det(q) < 0 {
				scaleColumn(q, n-1, -1)
			}
			return q, err
		}},
		{"Q_11 >= 0", false, func() (*mat.Dense, error) {
			q, err := Reflections(rng, n)
			if err == nil && q.At(0, 0) < 0 {
				scaleColumn(q, 0, -1)
			}
			return q, err
		}},
		{"signed permutation", false, func() (*mat.Dense, error) {
			q := mat.NewDense(n, n, nil)
			for i, j := range rng.Perm(n) {
				q.Set(i, j, float64(2*int(rng.Uint64()&1)-1))
			}
			return q, nil
		}},
	}
	if n == 6 {
		samplers = append(samplers, struct {
			name string
			haar bool
			draw func() (*mat.Dense, error)
		}{"uniform draws", false, func() (*mat.Dense, error) {
			return reflections(n, 1, func() float64 { return 2*rng.Float64() - 1 }), nil
		}})
	}
	for _, s := range samplers {
		bad, err := haarRejects(s.draw, draws)
		if err != nil {
			t.Fatal(err)
		}
		if s.haar && len(bad) > 0 {
			t.Errorf("n = %d, %s: not Haar: %v", n, s.name, bad)
		}
		if !s.haar && len(bad) == 0 {
			t.Errorf("n = %d, negative control %s: no moment rejected", n, s.name)
		}
	}
}

func scaleColumn(q *mat.Dense, j int, c float64) {
	n, _ := q.Dims()
	for i := range n {
		q.Set(i, j, c*q.At(i, j))
	}
}

// rawQR is gonum's Householder QR's Q of a Gaussian matrix, without Mezzadri's sign fix.
func rawQR(rng *rand.Rand, n int) *mat.Dense {
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// TestReflectionsLarge: at the claims' width the product stays orthogonal to 8 n eps, and no
// entry is NaN.
func TestReflectionsLarge(t *testing.T) {
	q, err := Reflections(rand.New(rand.NewPCG(5, 5)), 300)
	if err != nil {
		t.Fatal(err)
	}
	if d := orthogonalityError(q); !(d <= 8*300*0x1p-52) {
		t.Fatalf("n = 300: max |Q^T Q - I| = %.3g", d)
	}
}

// TestReflectionsFirstColumn: fed chosen Gaussian draws, Q_n's first column is u = g/|g| of the
// last draw (the returned Q^T's first row) to 4 eps, and Q_n is orthogonal to 4 n eps, also when
// g lies within 1e-9 of +-e_1: the sign s = sign(u_1) keeps v = e_1 + s u clear of cancellation
// (taking the other sign, or v = -e_1 + s u, loses about 1e-9 there; both are Haar in exact
// arithmetic, and only this test sees them). A draw of g = 0 is drawn again. Q_1 is the sign.
func TestReflectionsFirstColumn(t *testing.T) {
	cases := []struct {
		n     int
		sign  float64
		draws []float64 // m = 2's g, then m = 3's, ...
	}{
		{2, 1, []float64{-1, 1e-9}},
		{2, -1, []float64{1, -1e-9}},
		{3, 1, []float64{0.3, -0.7, -2, 1e-8, -3e-9}},
		{3, -1, []float64{0.5, 0.5, 2, -1e-9, 1e-9}},
		{2, 1, []float64{0, 0, -1, 1e-9}}, // g = 0, drawn again
	}
	for _, c := range cases {
		i := 0
		normal := func() float64 { i++; return c.draws[i-1] }
		q := reflections(c.n, c.sign, normal)
		if i != len(c.draws) {
			t.Errorf("draws %v: %d used", c.draws, i)
		}
		n := c.n
		g := c.draws[len(c.draws)-n:]
		norm := math.Sqrt(dot(g, g))
		for j := range n {
			if d := math.Abs(q.At(0, j) - g[j]/norm); d > 4*0x1p-52 {
				t.Errorf("draws %v: Q's first column [%d] = %v, u = %v (|diff| %.3g)", c.draws, j, q.At(0, j), g[j]/norm, d)
			}
		}
		if d := orthogonalityError(q); d > 4*float64(n)*0x1p-52 {
			t.Errorf("draws %v: max |Q^T Q - I| = %.3g", c.draws, d)
		}
	}
	for _, sign := range []float64{-1, 1} {
		if q := reflections(1, sign, nil); q.At(0, 0) != sign {
			t.Errorf("n = 1, sign %v: %v", sign, q)
		}
	}
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// TestCheckSizes: the sizes accepted are exactly 1..MaxN (the boundary itself, without drawing
// a 4096 x 4096 matrix).
func TestCheckSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for n, ok := range map[int]bool{0: false, 1: true, MaxN: true, MaxN + 1: false} {
		if err := check(rng, n); (err == nil) != ok {
			t.Errorf("n = %d: error %v", n, err)
		}
	}
}
