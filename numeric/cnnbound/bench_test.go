package cnnbound

import (
	"math/rand/v2"
	"testing"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// BenchmarkForwardBackward: one sample's forward and backward pass on A1 (28 x 28, 8 kernels of
// 5 x 5, 10 classes) and on CNN-7's small net, in samples/s.
func BenchmarkForwardBackward(b *testing.B) {
	small := theory.Arch{Name: "S1", R0: 8, C0: 8, D0: 1, P: 2, Layers: []theory.Layer{{K: 3, S: 1, D: 2, A: 2, B: 2}}, Out: 3, OutA: 2, OutB: 3}
	a1, _ := theory.Reference("A1")
	for _, a := range []theory.Arch{a1, small} {
		b.Run(a.Name, func(b *testing.B) {
			n, _ := New(a)
			_ = n.Randomize(1, 1)
			x := n.RandomInput(rand.New(rand.NewPCG(1, 2)))
			g := n.NewGrad()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := n.Gradient(x, 1, g); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
