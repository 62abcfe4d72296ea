package dae

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The inputs a probe found, each pinned here with the boundary of the check that now rejects it:
// Net{}.Clone() panicked; Covariance of NaN, Inf or 1e200 pixels returned NaN eigenvalues with a
// nil error; ExactData(lambda, 1<<40, seed) died of a fatal out-of-memory (and formed the n x n
// Q of its QR factorisation: n = 2^16 data needed 32 GiB); a nil *GD's Gradient and Run, and
// SetFactored on a nil or zero GD, panicked; DecodeImages panicked on a typed-nil reader;
// Decoupled with a NaN or huge V and RandomStart with s = 1e308 returned NaN or infinite weights
// with a nil error; Pool of NaN pixels, or of MaxFloat64 pixels in 5 x 5 blocks, returned NaN or
// +Inf; BalancedU0 overflowed |W1 + W2^T|^2 before dividing by 4D (W1 = W2 = 1e154 is u0 = 1e308);
// Flops overflowed silently at D = 2^22.

// TestCapsAtBoundary: checkFloats accepts exactly MaxFloats floats in any shape and rejects one
// row more, without forming the (overflowing) product; checkDim accepts MaxDim and rejects
// MaxDim + 1; both errors name their cap.
func TestCapsAtBoundary(t *testing.T) {
	for _, c := range [][2]int{{MaxFloats, 1}, {1, MaxFloats}, {MaxFloats / 3, 3}, {0, 0}, {0, math.MaxInt}, {math.MaxInt, 0}, {MaxFloats / 2, 2}} {
		if err := checkFloats("x", c[0], c[1]); err != nil {
			t.Errorf("%d x %d (<= MaxFloats): %v", c[0], c[1], err)
		}
	}
	for _, c := range [][2]int{{MaxFloats + 1, 1}, {MaxFloats/3 + 1, 3}, {MaxFloats/2 + 1, 2}, {math.MaxInt, 2}, {2, math.MaxInt}, {1 << 40, 1}} {
		err := checkFloats("x", c[0], c[1])
		if err == nil || !strings.Contains(err.Error(), "MaxFloats = 134217728") {
			t.Errorf("%d x %d (> MaxFloats): %v, want an error naming the cap", c[0], c[1], err)
		}
	}
	if err := checkDim("D", MaxDim); err != nil {
		t.Errorf("D = MaxDim: %v", err)
	}
	if err := checkDim("D", MaxDim+1); err == nil || !strings.Contains(err.Error(), "MaxDim = 4096") {
		t.Errorf("D = MaxDim + 1: %v, want an error naming the cap", err)
	}
	if MaxFloats != 1<<27 || MaxDim != 1<<12 {
		t.Errorf("caps %d, %d; the documentation says 2^27 and 2^12", MaxFloats, MaxDim)
	}
}

func ones(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	return x
}

// TestProblemDimCap: a problem of D = MaxDim is valid (NewGD at H = 1, the factored evaluation,
// allocates only D x H buffers), D = MaxDim + 1 is not, for every function that validates one.
func TestProblemDimCap(t *testing.T) {
	p := Problem{Lambda: ones(MaxDim), Sigma2: 0.5}
	if _, err := NewGD(p, 1, 0.1); err != nil {
		t.Fatalf("D = MaxDim: %v", err)
	}
	if _, err := p.Summed(2); err != nil {
		t.Fatalf("Summed at D = MaxDim: %v", err)
	}
	q := Problem{Lambda: ones(MaxDim + 1)}
	if _, err := NewGD(q, 1, 0.1); err == nil || !strings.Contains(err.Error(), "MaxDim") {
		t.Errorf("NewGD at D = MaxDim + 1: %v", err)
	}
	if _, err := q.Summed(2); err == nil {
		t.Error("Summed at D = MaxDim + 1 accepted")
	}
	if _, err := q.Loss(Net{}); err == nil {
		t.Error("Loss at D = MaxDim + 1 accepted")
	}
	if _, err := ExactData(ones(MaxDim+1), MaxDim+1, 1); err == nil {
		t.Error("ExactData at D = MaxDim + 1 accepted")
	}
}

// TestFlopsBoundaries: Flops at D = H = MaxDim is exact (3 2^36, 4 2^36, 4 2^36, 6 2^36: no
// overflow), D or H of 0 or MaxDim + 1 (and the probe's 2^22) are errors, not wrapped counts.
func TestFlopsBoundaries(t *testing.T) {
	const c = 1 << 36
	if a, b, err := Flops(MaxDim, MaxDim, true); err != nil || a != 3*c || b != 4*c {
		t.Errorf("eigenbasis at MaxDim: %d, %d, %v", a, b, err)
	}
	if a, b, err := Flops(MaxDim, MaxDim, false); err != nil || a != 4*c || b != 6*c {
		t.Errorf("pixel space at MaxDim: %d, %d, %v", a, b, err)
	}
	if a, b, err := Flops(1, 1, false); err != nil || a != 4 || b != 6 {
		t.Errorf("D = H = 1: %d, %d, %v", a, b, err)
	}
	for _, dh := range [][2]int{{0, 1}, {1, 0}, {MaxDim + 1, 1}, {1, MaxDim + 1}, {-1, 1}, {1 << 22, 1 << 22}} {
		for _, eig := range []bool{false, true} {
			if a, b, err := Flops(dh[0], dh[1], eig); err == nil {
				t.Errorf("Flops(%d, %d, %v) = %d, %d; want an error", dh[0], dh[1], eig, a, b)
			}
		}
	}
}

// TestCloneNeverPanics: the zero Net clones to the zero Net, a half net to a half net, an empty
// layer to an empty one, each rejected as the original is; a full net to an independent copy.
func TestCloneNeverPanics(t *testing.T) {
	w := mat.NewDense(1, 2, []float64{1, 2})
	for name, n := range map[string]Net{"zero": {}, "no W2": {W1: w}, "no W1": {W2: w}, "empty": {W1: &mat.Dense{}, W2: &mat.Dense{}}} {
		c := n.Clone()
		if (c.W1 == nil) != (n.W1 == nil) || (c.W2 == nil) != (n.W2 == nil) {
			t.Errorf("%s: clone %v of %v", name, c, n)
		}
		if c.W1 != nil && c.W1 == n.W1 {
			t.Errorf("%s: W1 shared", name)
		}
		if _, err := c.BalancedU0(); err == nil {
			t.Errorf("%s: the clone's BalancedU0 accepted", name)
		}
		if _, err := (Problem{Lambda: []float64{1, 1}}).Loss(c); err == nil {
			t.Errorf("%s: the clone's Loss accepted", name)
		}
	}
	n, err := RandomStart(3, 2, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := n.Clone()
	if !mat.Equal(c.W1, n.W1) || !mat.Equal(c.W2, n.W2) {
		t.Fatal("the clone differs")
	}
	c.W1.Set(0, 0, 99)
	c.W2.Set(0, 0, 99)
	if n.W1.At(0, 0) == 99 || n.W2.At(0, 0) == 99 {
		t.Error("the clone shares storage")
	}
}

// TestGDNotFromNewGD: a nil *GD and a zero GD are errors from Gradient and Run (errNoGD) and a
// no-op for SetFactored, never a panic; a GD from NewGD still works after them.
func TestGDNotFromNewGD(t *testing.T) {
	n, err := RandomStart(2, 1, 0.1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]*GD{"nil": nil, "zero": {}} {
		g.SetFactored(false)
		g.SetFactored(true)
		if _, _, err := g.Gradient(n); !errors.Is(err, errNoGD) {
			t.Errorf("%s: Gradient: %v", name, err)
		}
		if err := g.Run(n, 1, nil); !errors.Is(err, errNoGD) {
			t.Errorf("%s: Run: %v", name, err)
		}
	}
	g, err := NewGD(Problem{Lambda: []float64{1, 0.5}}, 1, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	g.SetFactored(false)
	if g.factored || g.pp == nil {
		t.Fatal("SetFactored(false) on a GD from NewGD did nothing")
	}
	if _, _, err := g.Gradient(n); err != nil {
		t.Fatal(err)
	}
}

// TestExactDataCap: n x D = MaxFloats / 2 + 1 rows of D = 2 and the probe's n = 2^40 are errors
// naming the cap (at once, before allocating); 2^16 data of D = 1, whose full n x n Q would be
// 32 GiB, take n floats and keep X^T X / n = lambda. (The accepted side of the cap, exactly
// MaxFloats, is checkFloats' boundary in TestCapsAtBoundary: 1 GiB is too much for a unit test.)
func TestExactDataCap(t *testing.T) {
	for _, n := range []int{MaxFloats/2 + 1, 1 << 40, math.MaxInt} {
		if _, err := ExactData([]float64{1, 2}, n, 1); err == nil || !strings.Contains(err.Error(), "MaxFloats") {
			t.Errorf("n = %d, D = 2: %v, want an error naming MaxFloats", n, err)
		}
	}
	const n = 1 << 16
	x, err := ExactData([]float64{3}, n, 7)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := x.Dims(); r != n || c != 1 {
		t.Fatalf("X is %d x %d", r, c)
	}
	var s float64
	for i := range n {
		s += x.At(i, 0) * x.At(i, 0)
	}
	if math.Abs(s/n-3) > 1e-12 {
		t.Errorf("X^T X / n = %v, want 3", s/n)
	}
}

// TestStartsNotFinite: Decoupled rejects a V with a NaN and a V whose products overflow, and
// D = MaxDim + 1 (V nil); RandomStart accepts D = MaxDim, H = 1 and H = MaxDim, D = 1, rejects one
// more in either, and makes s = 1e308 (entries beyond float64 for this seed) an error.
func TestStartsNotFinite(t *testing.T) {
	nan := mat.NewDense(2, 2, []float64{math.NaN(), 0, 0, 1})
	if _, err := Decoupled(2, nan, []float64{1}, 1); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "eigenvectors V[0][0] = NaN") {
		t.Errorf("V with a NaN: %v, want ErrNotFinite naming V[0][0]", err)
	}
	huge := mat.NewDense(2, 2, []float64{1e300, 1e300, 1e300, 1})
	if _, err := Decoupled(2, huge, []float64{1e300}, 1); !errors.Is(err, ErrNotFinite) {
		t.Errorf("V of 1e300 with u0 = 1e300: %v", err)
	}
	if _, err := Decoupled(MaxDim+1, nil, []float64{1}, 1); err == nil {
		t.Error("Decoupled at D = MaxDim + 1 accepted")
	}
	if n, err := Decoupled(MaxDim, nil, []float64{1}, 1); err != nil || n.W1.At(0, 0)*n.W2.At(0, 0) != 1 {
		t.Errorf("Decoupled at D = MaxDim: %v", err)
	}
	for _, dh := range [][2]int{{MaxDim, 1}, {1, MaxDim}} {
		if _, err := RandomStart(dh[0], dh[1], 1, 1); err != nil {
			t.Errorf("RandomStart(%d, %d): %v", dh[0], dh[1], err)
		}
	}
	for _, dh := range [][2]int{{MaxDim + 1, 1}, {1, MaxDim + 1}, {1 << 40, 1 << 40}} {
		if _, err := RandomStart(dh[0], dh[1], 1, 1); err == nil {
			t.Errorf("RandomStart(%d, %d) accepted", dh[0], dh[1])
		}
	}
	if _, err := RandomStart(4, 4, 1e308, 1); !errors.Is(err, ErrNotFinite) {
		t.Errorf("s = 1e308: %v", err)
	}
	if n, err := RandomStart(4, 4, 1e300, 1); err != nil || math.IsInf(mat.Max(n.W1), 0) {
		t.Errorf("s = 1e300: %v", err)
	}
}

// TestBalancedU0NoOverflow: W1 = W2 = 1e154 (D = H = 1) is u0 = (2e154)^2 / 4 = 1e308, finite;
// W1 = W2 = 1e155 is 1e310, an error.
func TestBalancedU0NoOverflow(t *testing.T) {
	w := mat.NewDense(1, 1, []float64{1e154})
	if u, err := (Net{W1: w, W2: w}).BalancedU0(); err != nil || math.Abs(u-1e308) > 1e-15*1e308 {
		t.Errorf("1e154: %v, %v; want 1e308", u, err)
	}
	w = mat.NewDense(1, 1, []float64{1e155})
	if u, err := (Net{W1: w, W2: w}).BalancedU0(); !errors.Is(err, ErrNotFinite) {
		t.Errorf("1e155: %v, %v; want ErrNotFinite", u, err)
	}
}

// TestSGDInputs: X nil, empty or of D = MaxDim + 1 is an error; D = MaxDim is accepted (zero
// steps: a step at that D is a 4096^3 product); a NaN outside a view of X is not X's.
func TestSGDInputs(t *testing.T) {
	for name, x := range map[string]*mat.Dense{"nil": nil, "empty": {}, "D = MaxDim + 1": mat.NewDense(1, MaxDim+1, nil)} {
		want := "data X"
		if x != nil && !x.IsEmpty() {
			want = "MaxDim"
		}
		if err := (SGD{X: x, Rate: 1}).Run(Net{}, 0, 1, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %s", name, err, want)
		}
	}
	n, err := RandomStart(MaxDim, 1, 0.1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := (SGD{X: mat.NewDense(1, MaxDim, ones(MaxDim)), Rate: 1}).Run(n, 0, 1, nil); err != nil {
		t.Errorf("D = MaxDim: %v", err)
	}
	big := mat.NewDense(2, 3, []float64{1, 0, math.NaN(), 0, 1, 0})
	view := big.Slice(0, 2, 0, 2).(*mat.Dense)
	m, err := RandomStart(2, 1, 0.1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := (SGD{X: view, Rate: 0.1}).Run(m, 2, 1, nil); err != nil {
		t.Errorf("a view of X without its NaN: %v", err)
	}
	if err := (SGD{X: big, Rate: 0.1}).Run(Net{}, 0, 1, nil); !errors.Is(err, ErrNotFinite) {
		t.Errorf("X with a NaN: %v", err)
	}
}

// TestNoiseSamplesCap: (1 + len(dirs)) pairs above MaxFloats is an error naming the cap, at once;
// the probe's 2^40 pairs too; a non-finite x or W is an error naming it; a NaN outside a view of W
// is not W's.
func TestNoiseSamplesCap(t *testing.T) {
	w := mat.NewDense(1, 1, []float64{0.5})
	for _, c := range []struct {
		dirs  []*mat.Dense
		pairs int
	}{{nil, MaxFloats + 1}, {[]*mat.Dense{w}, MaxFloats/2 + 1}, {[]*mat.Dense{w, w, w}, MaxFloats/4 + 1}, {nil, 1 << 40}} {
		if _, _, err := NoiseSamples(w, []float64{1}, 0.1, c.dirs, c.pairs, true, 1); err == nil || !strings.Contains(err.Error(), "MaxFloats") {
			t.Errorf("%d directions, %d pairs: %v", len(c.dirs), c.pairs, err)
		}
	}
	if _, _, err := NoiseSamples(w, []float64{math.Inf(-1)}, 0.1, nil, 4, true, 1); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "in x") {
		t.Errorf("x = -Inf: %v, want ErrNotFinite naming x", err)
	}
	big := mat.NewDense(2, 3, []float64{0.5, 0, math.NaN(), 0, 0.5, 0})
	view := big.Slice(0, 2, 0, 2).(*mat.Dense)
	if _, _, err := NoiseSamples(view, []float64{1, 2}, 0.1, []*mat.Dense{view}, 4, true, 1); err != nil {
		t.Errorf("a view of W without its NaN: %v", err)
	}
	if _, _, err := NoiseSamples(big.Slice(0, 2, 1, 3).(*mat.Dense), []float64{1, 2}, 0.1, nil, 4, true, 1); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "W[0][1] = NaN") {
		t.Errorf("a view of W with its NaN: %v, want ErrNotFinite naming W[0][1]", err)
	}
}

// TestDecodeImagesCap: a typed-nil reader is an error, not a panic; a header of floor(MaxFloats /
// 784) 28 x 28 images passes the cap (and fails as truncated), one image more is rejected naming
// the cap before any pixel is read; max below the count reads only those.
func TestDecodeImagesCap(t *testing.T) {
	var r *bytes.Reader
	if _, err := DecodeImages(r, 0); err == nil {
		t.Error("a typed-nil reader accepted")
	}
	const fit = MaxFloats / 784
	_, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, fit, 28, 28, make([]byte, 784))), 0)
	if err == nil || strings.Contains(err.Error(), "MaxFloats") || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("%d images: %v, want truncated", fit, err)
	}
	_, err = DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, fit+1, 28, 28, make([]byte, 784))), 0)
	if err == nil || !strings.Contains(err.Error(), "MaxFloats") {
		t.Errorf("%d images: %v, want the cap", fit+1, err)
	}
	im, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, fit+1, 28, 28, make([]byte, 784))), 1)
	if err != nil || im.N != 1 {
		t.Errorf("max = 1 of %d: %v", fit+1, err)
	}
}

// TestCovarianceScaled: pixels 2^e times a byte image give exactly 4^e times the covariance and
// eigenvalues of the byte image, and the same eigenvectors: e = 100, -300, 500 (outside 2^+-64,
// scaled first), 511 (products of 2^1022 whose sum over the 3 images overflows unless scaled) and
// -520 (products of 2^-1040 that lose their digits to underflow unless scaled; the result's
// subnormals rounded once, as 4^e times the byte image's are), and e = 63, 64, 65, -64, -65 (the
// two sides of pixelExp). 1e200 pixels (covariance 1e400), a covariance whose entries fit but whose
// largest eigenvalue does not, and NaN or Inf pixels are errors, and D = MaxDim + 1.
func TestCovarianceScaled(t *testing.T) {
	base := []float64{1, 0.5, 0.25, 0, 0.75, 0.125, 0.5, 1, 0.375, 0.625, 0, 0.875}
	im := &Images{N: 3, Rows: 2, Cols: 2, Pix: base}
	s0, l0, v0, err := im.Covariance()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []int{100, -300, 63, 64, 65, -64, -65, 500, 511, -520} {
		pix := make([]float64, len(base))
		for i, p := range base {
			pix[i] = math.Ldexp(p, e)
		}
		s, l, v, err := (&Images{N: 3, Rows: 2, Cols: 2, Pix: pix}).Covariance()
		if err != nil {
			t.Fatalf("2^%d: %v", e, err)
		}
		for i := range 4 {
			if l[i] != math.Ldexp(l0[i], 2*e) {
				t.Errorf("2^%d: eigenvalue %d = %v, want %v", e, i, l[i], math.Ldexp(l0[i], 2*e))
			}
			for j := range 4 {
				if s.At(i, j) != math.Ldexp(s0.At(i, j), 2*e) || v.At(i, j) != v0.At(i, j) {
					t.Errorf("2^%d: [%d][%d]: Sigma %v against %v, V %v against %v", e, i, j, s.At(i, j), s0.At(i, j), v.At(i, j), v0.At(i, j))
				}
			}
		}
	}
	for _, bad := range []float64{1e200, math.NaN(), math.Inf(1), math.Inf(-1)} {
		pix := append([]float64{}, base...)
		pix[5] = bad
		if _, l, _, err := (&Images{N: 3, Rows: 2, Cols: 2, Pix: pix}).Covariance(); !errors.Is(err, ErrNotFinite) {
			t.Errorf("a pixel %v: %v, %v; want ErrNotFinite", bad, l, err)
		}
		if p, err := (&Images{N: 3, Rows: 2, Cols: 2, Pix: pix}).Pool(2); !math.IsInf(bad, 0) && !math.IsNaN(bad) {
			if err != nil {
				t.Errorf("Pool of a pixel %v: %v", bad, err)
			}
		} else if !errors.Is(err, ErrNotFinite) {
			t.Errorf("Pool of a pixel %v: %v, %v", bad, p, err)
		}
	}
	p := math.Sqrt(math.MaxFloat64 / 2) // a 2 x 2 image of p: entries MaxFloat64 / 2, eigenvalue 2 MaxFloat64
	if _, l, _, err := (&Images{N: 1, Rows: 2, Cols: 2, Pix: []float64{p, p, p, p}}).Covariance(); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "eigenvalue") {
		t.Errorf("eigenvalue 2 MaxFloat64: %v, %v; want ErrNotFinite naming the eigenvalue", l, err)
	}
	const d = MaxDim + 1 // 17 x 241
	if _, _, _, err := (&Images{N: 1, Rows: 17, Cols: 241, Pix: make([]float64, d)}).Covariance(); err == nil || !strings.Contains(err.Error(), "MaxDim") {
		t.Errorf("D = MaxDim + 1: %v", err)
	}
}

// TestPoolOverflow: MaxFloat64 pixels pool to MaxFloat64 in 2 x 2 blocks; in 5 x 5 blocks the
// rounded weight 1/25 sums past it, an error rather than +Inf.
func TestPoolOverflow(t *testing.T) {
	for _, k := range []int{2, 5} {
		pix := make([]float64, k*k)
		for i := range pix {
			pix[i] = math.MaxFloat64
		}
		p, err := (&Images{N: 1, Rows: k, Cols: k, Pix: pix}).Pool(k)
		switch {
		case k == 2 && (err != nil || p.Pix[0] != math.MaxFloat64):
			t.Errorf("k = 2: %v, %v", p, err)
		case k == 5 && !errors.Is(err, ErrNotFinite):
			t.Errorf("k = 5: %v, %v; want ErrNotFinite", p, err)
		}
	}
}
