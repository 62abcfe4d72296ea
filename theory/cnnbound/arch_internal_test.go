package cnnbound

import (
	"math"
	"math/big"
	"testing"
)

// TestPerSampleSubnormalQuotient: where num / n / 2 is subnormal it keeps only a few significant
// bits (2^-1061 / 3 has about 13), so its square root would be off in the fifth digit; perSample
// takes sqrt(num / 2) / sqrt(n) instead. num = 2^-40, n = 3 * 2^1020: sqrt(2^-1061 / 3) at 300
// bits, within 2 ulp. Also a normal quotient (num = 1, n = 3), against the same 300-bit root.
func TestPerSampleSubnormalQuotient(t *testing.T) {
	for _, c := range []struct{ num, n float64 }{{0x1p-40, 3 * 0x1p1020}, {1, 3}} {
		x := new(big.Float).SetPrec(300).SetFloat64(c.num)
		x.Quo(x, new(big.Float).SetPrec(300).SetFloat64(c.n))
		x.Quo(x, big.NewFloat(2)).Sqrt(x)
		want, _ := x.Float64()
		ulp := math.Nextafter(want, math.Inf(1)) - want
		if got, err := perSample(c.num, c.n); err != nil || math.Abs(got-want) > 2*ulp {
			t.Errorf("perSample(%v, %v) = %v (%v), want %v within 2 ulp", c.num, c.n, got, err, want)
		}
	}
}
