package cnnbound

import (
	"fmt"
	"math/rand/v2"
	"testing"

	theory "github.com/dlt5/verify/theory/cnnbound"
)

// BenchmarkForwardBackward: one sample's forward and backward pass on A1 (28 x 28, 8 kernels of
// 5 x 5, 10 classes) and on CNN-7's small net, in samples/s.
func BenchmarkForwardBackward(b *testing.B) {
	a1, _ := theory.Reference("A1")
	for _, a := range []theory.Arch{a1, s1()} {
		b.Run(a.Name, func(b *testing.B) {
			n := randomNet(b, a, 1, 1)
			x, _ := n.RandomInput(rand.New(rand.NewPCG(1, 2)))
			g, _ := n.NewGrad()
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

// BenchmarkReplicate: one CNN-7 replicate on S1 (8 weight vectors, independent samples at nine n
// from 1e2 to 1e4), at three population sizes, in samples/s of the largest n.
func BenchmarkReplicate(b *testing.B) {
	var nets []*Net
	for k := range 8 {
		nets = append(nets, randomNet(b, s1(), 1, uint64(k)))
	}
	for _, m := range []int{512, 1024, 4096} {
		b.Run(fmt.Sprintf("M=%d", m), func(b *testing.B) {
			pop, _ := NewPopulation(s1(), m, 1)
			u, err := NewUniform(nets, pop)
			if err != nil {
				b.Fatal(err)
			}
			ns := []int{100, 178, 316, 562, 1000, 1778, 3162, 5623, 10000}
			seed := uint64(0)
			for b.Loop() {
				seed++
				if _, _, err := u.Replicate(ns, seed, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*1e4/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
