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

// BenchmarkKernelEstimate compares the reductions at d = 10, theta = pi/2, a = 0 by the variance
// they buy per second: "rel-var*ns" is the per-sample relative variance times the time per sample,
// the cost of a fixed relative standard error (lower is better).
func BenchmarkKernelEstimate(b *testing.B) {
	x, y := make([]float64, 10), make([]float64, 10)
	x[0], y[1] = 1, 1
	for _, r := range []Reduction{Plain, Antithetic, Regression} {
		b.Run(r.String(), func(b *testing.B) {
			const n = 1 << 18
			var relVar float64
			for i := 0; i < b.N; i++ {
				est, err := KernelEstimate(weights.Gaussian{Scale: 1}, 0, x, y, n, uint64(i), r)
				if err != nil {
					b.Fatal(err)
				}
				relVar = est.SE * est.SE * n / (est.Mean * est.Mean)
			}
			perSample := b.Elapsed().Seconds() / float64(b.N) / n
			b.ReportMetric(relVar*perSample*1e9, "rel-var*ns")
		})
	}
}
