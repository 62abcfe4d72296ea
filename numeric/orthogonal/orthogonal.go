// Package orthogonal samples Haar-distributed (uniformly random) orthogonal matrices, needed to
// check rotational invariance (kernel paper, KER-3) and for orthogonal initialisations.
package orthogonal

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlt5/verify/internal/vec"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// MaxN is the largest size Haar and Reflections accept: an n x n matrix is n^2 float64s (128 MiB
// at MaxN), and drawing it O(n^3) work.
const MaxN = 4096

// Haar returns an n x n orthogonal matrix drawn from the Haar measure: the Q factor of the QR
// decomposition of a standard Gaussian matrix, with the signs of R's diagonal moved into Q
// (Mezzadri, "How to generate random matrices from the classical compact groups", 2007).
// Errors: a nil rng, n < 1, n > MaxN.
func Haar(rng *rand.Rand, n int) (*mat.Dense, error) {
	if err := check(rng, n); err != nil {
		return nil, err
	}
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := range n {
		s := math.Copysign(1, r.At(j, j))
		for i := range n {
			q.Set(i, j, s*q.At(i, j))
		}
	}
	return &q, nil
}

func check(rng *rand.Rand, n int) error {
	if rng == nil {
		return errors.New("orthogonal: the random source rng is nil")
	}
	if n < 1 || n > MaxN {
		return fmt.Errorf("orthogonal: size n = %d must be in [1, MaxN = %d]", n, MaxN)
	}
	return nil
}

// Reflections returns an n x n orthogonal matrix drawn from the Haar measure, as Haar does, by
// Stewart's product of random reflections (G. W. Stewart, "The efficient generation of random
// orthogonal matrices with an application to condition estimators", SIAM J. Numer. Anal. 17,
// 1980), at half the QR route's work: 2/3 n^3 multiply-adds against 4/3 n^3, 0.1 s against
// Haar's 0.4 s at n = 1000 (BenchmarkReflections). Q_1 = [+-1] with a fair sign, then for
// m = 2 .. n
//
//	Q_m = H diag(-s, Q_{m-1}),  H = I - 2 v v^T / |v|^2,  v = e_1 + s u,
//
// u = g/|g| for g ~ N(0, I_m) (uniform on the sphere) and s = sign(u_1) (+1 when u_1 = +0), so
// that H e_1 = -s u and Q_m's first column is u; |v|^2 = 2 (1 + |u_1|) >= 2, so the reflection
// never cancels and every entry is finite. Given u, Q_m's other columns are H's isometry of e_1's
// complement onto u's applied to a Haar frame, a Haar frame of u's complement: Q_m is Haar on
// O(m). H acts on each column b of B = diag(-s, Q_{m-1}) alone (b - (2 v.b/|v|^2) v), so the
// columns are kept as rows, each updated by a dot product and an axpy while it is in cache, and
// the matrix returned is Q_n^T: Haar too (the measure is invariant under transposition), stored
// row-major with stride n. The draws differ from Haar's for the same rng. Errors: a nil rng,
// n < 1, n > MaxN.
func Reflections(rng *rand.Rand, n int) (*mat.Dense, error) {
	if err := check(rng, n); err != nil {
		return nil, err
	}
	return reflections(n, float64(2*int(rng.Uint64()&1)-1), rng.NormFloat64), nil
}

// reflections is Reflections with Q_1 = [sign] and the Gaussian draws from normal.
func reflections(n int, sign float64, normal func() float64) *mat.Dense {
	qt := make([]float64, n*n) // row c: column c of Q_m, in the last m rows and columns
	qt[n*n-1] = sign
	v := make([]float64, n)
	for m := 2; m <= n; m++ {
		o := n - m
		u := v[:m]
		s, c := reflector(u, normal)
		qt[o*n+o] = -s
		for col := o; col < n; col++ {
			b := qt[col*n+o : (col+1)*n]
			vec.Axpy(c*vec.Dot(u, b), u, b)
		}
	}
	return mat.NewDense(n, n, qt)
}

// reflector draws g ~ N(0, I_m) into u (again while g = 0, which has probability 0), and turns it
// into v = e_1 + s g/|g| with s = sign(g_1): H = I + c v v^T, c = -2/|v|^2, is Reflections'
// reflection of size m = len(u). It returns s and c.
func reflector(u []float64, normal func() float64) (s, c float64) {
	norm := 0.0
	for norm == 0 {
		for i := range u {
			u[i] = normal()
		}
		norm = floats.Norm(u, 2)
	}
	s = math.Copysign(1, u[0])
	floats.Scale(s/norm, u)
	u[0]++ // v = e_1 + s u, |v|^2 = 2 (1 + |u_1|): no cancellation, whatever u
	return s, -2 / vec.Dot(u, u)
}

// Product is the matrix Reflections returns, Q_n^T, kept as its factors instead of formed:
//
//	Q_n^T = diag(-s_n, Q_{n-1}^T) H_n,  Q_1^T = [sign],
//
// so Q_n^T x applies H_n to x, flips x_1 by -s_n, and recurses on x's last n - 1 entries. It holds
// the n - 1 reflection vectors (n^2/2 float64s, against n^2 for the matrix) and is drawn in O(n^2)
// work (7.9 ms at n = 1000, BenchmarkProduct), against Reflections' 2/3 n^3 multiply-adds (97 ms);
// a product with it costs about n^2 multiply-adds per vector (a dot product and an axpy per
// reflection), as a dense product does, but 2.1 times the time of vec.MulRows at n = 1000 and four
// vectors (0.49 against 0.23 ms). It pays where a matrix meets fewer than about 1400 vectors (89
// ms saved against 0.065 ms more per vector), as the mean-field variance runs do (30 steps of a
// few sequences). NewProduct makes the same draws from rng, in the same order, as Reflections:
// the two give the same matrix to rounding (TestProductIsReflections) and leave rng in the same
// state.
type Product struct {
	n    int
	sign float64   // Q_1 = [sign]
	s, c []float64 // index m = 2 .. n: reflection m's sign and -2/|v_m|^2
	v    []float64 // v_m at v[m (m - 1)/2 - 1 :][:m], m = 2 .. n
}

// NewProduct draws Q_n as Reflections does and returns it as a Product. Errors: a nil rng, n < 1,
// n > MaxN.
func NewProduct(rng *rand.Rand, n int) (*Product, error) {
	if err := check(rng, n); err != nil {
		return nil, err
	}
	p := &Product{n: n, sign: float64(2*int(rng.Uint64()&1) - 1), s: make([]float64, n+1), c: make([]float64, n+1),
		v: make([]float64, n*(n+1)/2-1)}
	for m := 2; m <= n; m++ {
		p.s[m], p.c[m] = reflector(p.vector(m), rng.NormFloat64)
	}
	return p, nil
}

// vector returns v_m.
func (p *Product) vector(m int) []float64 {
	o := m*(m-1)/2 - 1
	return p.v[o : o+m]
}

// N returns the matrix's size n.
func (p *Product) N() int { return p.n }

// Mul sets x_j = Q_n^T x_j, in place, for the k vectors x_j = x[j n : (j+1) n] (four at a time
// through each reflection while it is in cache). Dimensionless (Q is orthogonal: it keeps each
// vector's norm). Errors: a nil Product, k < 1, len(x) other than k n.
func (p *Product) Mul(x []float64, k int) error {
	if p == nil || p.n < 1 || len(p.v) != p.n*(p.n+1)/2-1 || len(p.s) != p.n+1 || len(p.c) != p.n+1 {
		return errors.New("orthogonal: Mul on a Product not made by NewProduct")
	}
	if k < 1 || len(x)%p.n != 0 || len(x)/p.n != k { // not len(x) != k n: k n can wrap
		return fmt.Errorf("orthogonal: Mul of %d vectors of size %d needs k n floats, got %d", k, p.n, len(x))
	}
	n := p.n
	for m := n; m >= 2; m-- {
		o := n - m
		v, c, fl := p.vector(m), p.c[m], -p.s[m]
		j := 0
		for ; j+4 <= k; j += 4 {
			x0, x1, x2, x3 := x[j*n+o:(j+1)*n], x[(j+1)*n+o:(j+2)*n], x[(j+2)*n+o:(j+3)*n], x[(j+3)*n+o:(j+4)*n]
			a0, a1, a2, a3 := vec.Dot4(v, x0, x1, x2, x3)
			vec.Axpy(c*a0, v, x0)
			vec.Axpy(c*a1, v, x1)
			vec.Axpy(c*a2, v, x2)
			vec.Axpy(c*a3, v, x3)
			x0[0], x1[0], x2[0], x3[0] = fl*x0[0], fl*x1[0], fl*x2[0], fl*x3[0]
		}
		for ; j < k; j++ {
			xj := x[j*n+o : (j+1)*n]
			vec.Axpy(c*vec.Dot(v, xj), v, xj)
			xj[0] *= fl
		}
	}
	for j := range k {
		x[(j+1)*n-1] *= p.sign
	}
	return nil
}
