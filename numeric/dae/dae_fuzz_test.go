package dae

import (
	"bytes"
	"errors"
	"math"
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

// FuzzData covers pooling, the covariance and exact data over fuzzed shapes and pixels: an error
// or finite values, never a panic.
func FuzzData(f *testing.F) {
	f.Add(2, 4, 4, 2, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1.0, 3)
	f.Add(0, 0, 0, 0, []byte{}, -1.0, 0)
	f.Add(1, 3, 3, 2, []byte{255}, 1e308, 5)
	f.Fuzz(func(t *testing.T, n, r, c, k int, px []byte, lam float64, m int) {
		pix := make([]float64, len(px))
		for i, b := range px {
			pix[i] = float64(b) / 255
		}
		im := &Images{N: n, Rows: r, Cols: c, Pix: pix}
		if p, err := im.Pool(k); err == nil {
			fp.RequireFinite(t, "Pool", nil, p.Pix...)
			if _, l, _, err := p.Covariance(); err == nil {
				fp.RequireFinite(t, "Covariance", nil, l...)
			}
		}
		if x, err := ExactData([]float64{lam, 1}, m, 1); err == nil {
			fp.RequireFinite(t, "ExactData", nil, x.RawMatrix().Data...)
		}
	})
}
