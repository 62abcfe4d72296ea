package kernel

import (
	"fmt"
	"github.com/dlt5/verify/internal/fp"
	"math"
)

// MaxEnumerate is the largest d RademacherExact accepts (2^d sign vectors, d of work each).
const MaxEnumerate = 24

// RademacherExact returns E_w[f_a(w.x) f_a(w.y)] exactly for w with i.i.d. +-1 coordinates, by
// summing over all 2^d sign vectors (d = len(x) <= MaxEnumerate). Each term's dot products are
// computed afresh, so the rounding error does not accumulate across terms. x and y are scaled by
// powers of two (exactly) to a largest entry in [0.5, 1) and the sum scaled back, so huge inputs
// give the exact value whenever it is representable. Errors: mismatched, empty or non-finite
// inputs, a outside [0, 1], d > MaxEnumerate, and a value that overflows float64. Units:
// (w.x)(w.y).
func RademacherExact(a float64, x, y []float64) (float64, error) {
	if err := checkInputs(x, y, a, 2); err != nil {
		return 0, err
	}
	d := len(x)
	if d > MaxEnumerate {
		return 0, fmt.Errorf("kernel: enumeration needs d <= %d, got %d", MaxEnumerate, d)
	}
	x, ex := fp.Normalised(x)
	y, ey := fp.Normalised(y)
	var sum float64
	for s := range uint64(1) << d {
		var u, v float64
		for i := range d {
			if s>>i&1 == 1 {
				u += x[i]
				v += y[i]
			} else {
				u -= x[i]
				v -= y[i]
			}
		}
		sum += Leaky(u, a) * Leaky(v, a)
	}
	k := math.Ldexp(sum, ex+ey-d)
	if !isFinite(k) {
		return 0, fmt.Errorf("kernel: E f(w.x) f(w.y) overflows float64 (inputs too large)")
	}
	return k, nil
}
