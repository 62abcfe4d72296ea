package kernel

import (
	"fmt"
	"testing"

	"github.com/dlt5/verify/numeric/weights"
)

// BenchmarkKernelMC measures the suite's hot loop: whole Gaussian weight vectors per second at
// d = 100, on all cores (target: 2e6 vectors/s on the 2-core CI machine).
func BenchmarkKernelMC(b *testing.B) {
	for _, d := range []int{100} {
		b.Run(fmt.Sprintf("gauss/d=%d", d), func(b *testing.B) {
			x, y := make([]float64, d), make([]float64, d)
			for i := range x {
				x[i], y[i] = 1, float64(i%3)-1
			}
			const n = 1 << 20
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := KernelMC(weights.Gaussian{Scale: 0.1}, 0, x, y, n, uint64(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "vectors/s")
		})
	}
}
