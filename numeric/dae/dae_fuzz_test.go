package dae

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/dlt5/verify/internal/fp"
	"gonum.org/v1/gonum/mat"
)

// FuzzDecodeImages: any bytes give an error or images whose pixels are in [0, 1] and whose count
// matches the header's dimensions; never a panic.
func FuzzDecodeImages(f *testing.F) {
	f.Add(idxBytes(idxImagesMagic, 2, 2, 2, []byte{1, 2, 3, 4, 5, 6, 7, 8}), 0)
	f.Add(idxBytes(idxImagesMagic, math.MaxUint32, 4096, 4096, []byte{1}), 0)
	f.Add(idxBytes(0x00000801, 1, 1, 1, []byte{1}), 1)
	f.Add([]byte{0, 0, 8, 3}, 0)
	f.Add(idxBytes(idxImagesMagic, MaxFloats/784+1, 28, 28, make([]byte, 784)), 0) // one image above the cap
	f.Add(idxBytes(idxImagesMagic, MaxFloats/784+1, 28, 28, make([]byte, 784)), 1) // max below it
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		im, err := DecodeImages(bytes.NewReader(data), max)
		if err != nil {
			return
		}
		if len(im.Pix) != im.N*im.Rows*im.Cols {
			t.Fatalf("%d pixels for %d x %d x %d", len(im.Pix), im.N, im.Rows, im.Cols)
		}
		for _, v := range im.Pix {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("pixel %v", v)
			}
		}
	})
}

// FuzzNumeric covers the problem, stepper, starts and noise samples with fuzzed scalars: an error
// or finite values, never a panic.
func FuzzNumeric(f *testing.F) {
	special := []float64{0, -1, 1e-300, 1e300, math.NaN(), math.Inf(1), 0.5, 2}
	for i, v := range special {
		f.Add(v, special[(i+1)%len(special)], special[(i+2)%len(special)], special[(i+3)%len(special)], i%4-1, i)
	}
	f.Fuzz(func(t *testing.T, lam, s2, gam, rate float64, h, steps int) {
		p := Problem{Lambda: []float64{lam, 1, 0.5}, Sigma2: s2, Gamma: gam}
		g, err := NewGD(p, h, rate)
		if err == nil {
			n, err := RandomStart(3, h, 0.1, 1)
			if err != nil {
				t.Fatal(err)
			}
			err = g.Run(n, steps%50, inOrder(steps%50))
			if errors.Is(err, errObserveOrder) {
				t.Fatal(err)
			}
			if err == nil {
				u, err := n.Strengths(nil, 3)
				fp.RequireFinite(t, "Strengths", err, u...)
				l, err := p.Loss(n)
				fp.RequireFinite(t, "Loss", err, l)
			}
		}
		if q, err := p.Summed(steps); err == nil {
			fp.RequireFinite(t, "Summed", nil, q.Lambda...)
		}
		_, err = Decoupled(3, nil, []float64{lam, s2}, 1)
		_ = err
		w := mat.NewDense(2, 2, []float64{lam, 0, 0, 1})
		loss, grad, err := NoiseSamples(w, []float64{1, s2}, gam, []*mat.Dense{w}, steps%5, steps%2 == 0, 1)
		if err == nil {
			fp.RequireFinite(t, "NoiseSamples", nil, loss...)
			fp.RequireFinite(t, "NoiseSamples", nil, grad[0]...)
		}
		sg := SGD{X: mat.NewDense(2, 2, []float64{lam, 0, 0, 1}), Sigma2: s2, Gamma: gam, Rate: rate}
		n, _ := RandomStart(2, 1, 0.1, 1)
		err = sg.Run(n, steps%20, 1, inOrder(steps%20))
		if errors.Is(err, errObserveOrder) {
			t.Fatal(err)
		}
		if err == nil {
			fp.RequireFinite(t, "SGD", nil, mat.Sum(n.W1), mat.Sum(n.W2))
		}
	})
}

// FuzzData covers pooling, the covariance and exact data over fuzzed shapes and pixels (bytes /
// 255 times a fuzzed scale, one pixel replaced by a fuzzed value: NaN, infinities, 1e200 and
// 1e-300 included): an error or finite values, never a panic; pixels that are all finite and at
// most 1e100 always have a covariance. ExactData runs only where it is cheap (n x 2 up to 2^14
// floats) and must reject at once every n x 2 above MaxFloats.
func FuzzData(f *testing.F) {
	f.Add(2, 4, 4, 2, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1.0, 3, 1.0, 0.5, -1)
	f.Add(0, 0, 0, 0, []byte{}, -1.0, 0, 1.0, 0.5, -1)
	f.Add(1, 3, 3, 2, []byte{255}, 1e308, 5, 1.0, 0.5, -1)
	f.Add(2, 1, 2, 1, []byte{255, 127, 255, 51}, 1.0, 1<<40, 1.0, math.NaN(), 0)    // a NaN pixel; the probe's n
	f.Add(2, 1, 2, 1, []byte{255, 127, 255, 51}, 1.0, 1<<26+1, 1.0, math.Inf(1), 1) // an Inf pixel; n x 2 just above the cap
	f.Add(2, 1, 2, 1, []byte{255, 127, 255, 51}, 1.0, 1<<26, 1e200, 0.5, -1)        // 1e200 pixels; n x 2 at the cap (not built: 1 GiB)
	f.Add(2, 2, 2, 2, []byte{1, 2, 3, 4, 5, 6, 7, 8}, 1.0, 4, 1e-300, 1e-300, 3)    // underflowing products
	f.Add(1, 5, 5, 5, make([]byte, 25), 1.0, 2, 1.0, math.MaxFloat64, 7)            // a pool sum past MaxFloat64
	f.Fuzz(func(t *testing.T, n, r, c, k int, px []byte, lam float64, m int, scale, bad float64, at int) {
		pix := make([]float64, len(px))
		for i, b := range px {
			pix[i] = float64(b) / 255 * scale
		}
		if at >= 0 && at < len(pix) {
			pix[at] = bad
		}
		im := &Images{N: n, Rows: r, Cols: c, Pix: pix}
		tame := im.check() == nil && r*c <= 64
		for _, v := range pix {
			tame = tame && math.Abs(v) <= 1e100
		}
		if tame {
			s, l, v, err := im.Covariance()
			if err != nil {
				t.Fatalf("pixels within 1e100: %v", err)
			}
			fp.RequireFinite(t, "Covariance", nil, l...)
			fp.RequireFinite(t, "Covariance", nil, mat.DenseCopyOf(s).RawMatrix().Data...)
			fp.RequireFinite(t, "Covariance", nil, v.RawMatrix().Data...)
		}
		if p, err := im.Pool(k); err == nil {
			fp.RequireFinite(t, "Pool", nil, p.Pix...)
			if p.Rows*p.Cols <= 64 {
				if s, l, _, err := p.Covariance(); err == nil {
					fp.RequireFinite(t, "Covariance", nil, l...)
					fp.RequireFinite(t, "Covariance", nil, mat.DenseCopyOf(s).RawMatrix().Data...)
				}
			}
		}
		if m <= 1<<13 || m > MaxFloats/2 {
			x, err := ExactData([]float64{lam, 1}, m, 1)
			if err == nil {
				fp.RequireFinite(t, "ExactData", nil, x.RawMatrix().Data...)
			} else if m > MaxFloats/2 && !strings.Contains(err.Error(), "MaxFloats") && lam >= 0 && !math.IsInf(lam, 0) {
				t.Fatalf("n = %d x 2 rejected, but not for the cap: %v", m, err)
			}
			if m > MaxFloats/2 && err == nil {
				t.Fatalf("n = %d x 2 accepted", m)
			}
		}
	})
}

// FuzzNet covers a net's methods over fuzzed shapes (each layer possibly nil) and entries (NaN,
// infinities, 1e154 and 1e300 included): Clone never panics and copies; Strengths, BalancedU0,
// Loss, Gradient and Run give an error or finite values, and a nil or zero GD is an error.
func FuzzNet(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(0), uint8(0), 1.0, 0.5, 0.1, uint8(0))     // the zero Net
	f.Add(uint8(1), uint8(2), uint8(2), uint8(1), 1.0, 0.5, 0.1, uint8(3))     // H = 1, D = 2
	f.Add(uint8(1), uint8(2), uint8(2), uint8(1), 1e154, 1e154, 0.1, uint8(3)) // u0 = 1e308 without overflow
	f.Add(uint8(2), uint8(3), uint8(3), uint8(2), math.NaN(), 1.0, 0.1, uint8(1))
	f.Add(uint8(2), uint8(3), uint8(3), uint8(2), 1e300, -1e300, 10.0, uint8(2))
	f.Add(uint8(1), uint8(0), uint8(2), uint8(1), 1.0, 1.0, 0.1, uint8(3)) // W1 with no columns: nil
	f.Fuzz(func(t *testing.T, h1, d1, d2, h2 uint8, a, b, rate float64, mode uint8) {
		layer := func(r, c uint8, x float64) *mat.Dense {
			if r == 0 || c == 0 || r > 8 || c > 8 {
				return nil
			}
			m := mat.NewDense(int(r), int(c), nil)
			for i := range int(r) {
				for j := range int(c) {
					m.Set(i, j, x*float64(1+i-j))
				}
			}
			return m
		}
		n := Net{W1: layer(h1, d1, a), W2: layer(d2, h2, b)}
		if mode&1 == 0 {
			n.W1 = nil
		}
		c := n.Clone()
		if !sameBits(c.W1, n.W1) || !sameBits(c.W2, n.W2) || (c.W1 != nil && c.W1 == n.W1) || (c.W2 != nil && c.W2 == n.W2) {
			t.Fatalf("Clone %v of %v", c, n)
		}
		if u, err := n.Strengths(nil, int(d1)); err == nil {
			fp.RequireFinite(t, "Strengths", nil, u...)
		}
		u0, err := n.BalancedU0()
		fp.RequireFinite(t, "BalancedU0", err, u0)
		d := int(d1)
		if d < 1 {
			d = 1
		}
		p := Problem{Lambda: ones(d), Sigma2: math.Abs(a), Gamma: 0.1}
		if mode&2 != 0 {
			p = Problem{Sigma: mat.NewSymDense(d, ones(d*d)), Sigma2: 0.5}
		}
		l, err := p.Loss(n)
		fp.RequireFinite(t, "Loss", err, l)
		var g *GD
		if mode&4 == 0 {
			g, _ = NewGD(p, int(h1), rate)
		}
		g1, g2, err := g.Gradient(n)
		if err == nil {
			fp.RequireFinite(t, "Gradient", nil, g1.RawMatrix().Data...)
			fp.RequireFinite(t, "Gradient", nil, g2.RawMatrix().Data...)
		} else if g == nil && !errors.Is(err, errNoGD) {
			t.Fatalf("a nil GD: %v", err)
		}
		g.SetFactored(mode&8 != 0)
		if err := g.Run(c, 3, nil); err == nil {
			fp.RequireFinite(t, "Run", nil, mat.Sum(c.W1), mat.Sum(c.W2))
		}
	})
}

// sameBits reports whether x and y are both nil or of one shape with bitwise equal entries (NaN
// included).
func sameBits(x, y *mat.Dense) bool {
	if x == nil || y == nil {
		return x == nil && y == nil
	}
	r, c := x.Dims()
	if r2, c2 := y.Dims(); r2 != r || c2 != c {
		return false
	}
	for i := range r {
		for j := range c {
			if math.Float64bits(x.At(i, j)) != math.Float64bits(y.At(i, j)) {
				return false
			}
		}
	}
	return true
}

// FuzzStarts covers the starts over fuzzed sizes, strengths, scales and eigenvectors (a V with a
// fuzzed entry): an error or finite weights, never a panic; sizes above MaxDim are errors at once
// (only sizes of at most 2^12 floats are built).
func FuzzStarts(f *testing.F) {
	f.Add(3, 2, 0.5, 0.1, 1.0, uint64(1))
	f.Add(2, 1, 1e300, 1e308, 1e300, uint64(1)) // a huge V, RandomStart's entries beyond float64
	f.Add(2, 1, 1.0, 1.0, math.NaN(), uint64(2))
	f.Add(MaxDim+1, 1, 1.0, 1.0, 1.0, uint64(3))
	f.Add(1<<40, 1<<40, 1.0, 1.0, 1.0, uint64(3))
	f.Add(0, -1, 0.0, -1.0, math.Inf(1), uint64(4))
	f.Fuzz(func(t *testing.T, d, h int, u, s, vx float64, seed uint64) {
		huge := d > MaxDim || h > MaxDim
		if !huge && (d > 64 || h > 64) {
			return
		}
		n, err := RandomStart(d, h, s, seed)
		if huge && err == nil {
			t.Fatalf("RandomStart(%d, %d) accepted", d, h)
		}
		if err == nil {
			fp.RequireFinite(t, "RandomStart", nil, n.W1.RawMatrix().Data...)
			fp.RequireFinite(t, "RandomStart", nil, n.W2.RawMatrix().Data...)
		}
		var v *mat.Dense
		if d >= 1 && d <= 64 {
			v = mat.NewDense(d, d, nil)
			for i := range d {
				v.Set(i, i, 1)
			}
			v.Set(d-1, 0, vx)
		}
		u0 := make([]float64, max(0, min(h, 65)))
		for i := range u0 {
			u0[i] = u
		}
		for _, vv := range []*mat.Dense{nil, v} {
			n, err := Decoupled(d, vv, u0, seed)
			if huge && err == nil {
				t.Fatalf("Decoupled(%d, %d) accepted", d, h)
			}
			if err == nil {
				fp.RequireFinite(t, "Decoupled", nil, n.W1.RawMatrix().Data...)
				fp.RequireFinite(t, "Decoupled", nil, n.W2.RawMatrix().Data...)
			}
		}
	})
}

// FuzzSizes covers every size check over fuzzed counts: Flops (exact or an error, never a wrapped
// count), the data of ExactData, the samples of NoiseSamples and the images of DecodeImages above
// their caps are errors naming the cap, at once; below, only cheap calls are made.
func FuzzSizes(f *testing.F) {
	f.Add(MaxDim, MaxDim, MaxFloats/2+1, 1)
	f.Add(MaxDim+1, 1, 1<<40, 3)
	f.Add(1<<22, 1<<22, math.MaxInt, 0)
	f.Add(0, -1, MaxFloats, 1)
	f.Fuzz(func(t *testing.T, d, h, n, dirs int) {
		for _, eig := range []bool{false, true} {
			a, b, err := Flops(d, h, eig)
			ok := d >= 1 && h >= 1 && d <= MaxDim && h <= MaxDim
			if ok != (err == nil) {
				t.Fatalf("Flops(%d, %d): %v", d, h, err)
			}
			if ok && (a < d*d*h || b < 4*d*h*h) {
				t.Fatalf("Flops(%d, %d, %v) = %d, %d", d, h, eig, a, b)
			}
		}
		dirs = ((dirs % 4) + 4) % 4
		over := n > MaxFloats/(1+dirs)
		if over {
			w := mat.NewDense(1, 1, []float64{0.5})
			ds := make([]*mat.Dense, dirs)
			for i := range ds {
				ds[i] = w
			}
			if _, _, err := NoiseSamples(w, []float64{1}, 0.1, ds, n, true, 1); err == nil || !strings.Contains(err.Error(), "MaxFloats") {
				t.Fatalf("%d pairs, %d directions: %v", n, dirs, err)
			}
		}
		if n > MaxFloats/2 {
			if _, err := ExactData([]float64{1, 1}, n, 1); err == nil || !strings.Contains(err.Error(), "MaxFloats") {
				t.Fatalf("ExactData n = %d: %v", n, err)
			}
		}
		if n > 0 && n <= math.MaxUint32 && d >= 1 && d <= maxSide && h >= 1 && h <= maxSide {
			_, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, uint32(n), uint32(d), uint32(h), make([]byte, 16))), 0)
			if err == nil {
				if n*d*h > 16 {
					t.Fatalf("%d images of %d x %d from 16 bytes accepted", n, d, h)
				}
				return
			}
			if capped := n > MaxFloats/(d*h); capped != strings.Contains(err.Error(), "MaxFloats") {
				t.Fatalf("%d images of %d x %d: %v", n, d, h, err)
			}
		}
	})
}
