package kernel

import (
	"fmt"
	"math"
)

// MaxEnumerate is the largest d RademacherExact accepts (2^d sign vectors, d of work each).
const MaxEnumerate = 24

// RademacherExact returns E_w[f_a(w.x) f_a(w.y)] exactly for w with i.i.d. +-1 coordinates, by
// summing over all 2^d sign vectors (d = len(x) <= MaxEnumerate). Each term's dot products are
// computed afresh, so the rounding error does not accumulate across terms. Units: (w.x)(w.y).
func RademacherExact(a float64, x, y []float64) (float64, error) {
	if err := checkInputs(x, y, a, 2); err != nil {
		return 0, err
	}
	d := len(x)
	if d > MaxEnumerate {
		return 0, fmt.Errorf("kernel: enumeration needs d <= %d, got %d", MaxEnumerate, d)
	}
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
	return math.Ldexp(sum, -d), nil
}
