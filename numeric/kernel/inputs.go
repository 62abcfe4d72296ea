package kernel

// CLTInputs returns the CLT inputs of the kernel golden grid in R^d (claim KER-4 in CLAIMS.md):
// x = (1, ..., 1), y_i = -1 if i mod 3 == 0 else +1 (i from 0). No coordinate dominates:
// max_i |x_i| / |x| = d^{-1/2}. d < 1 or d > MaxEntries gives empty inputs (no allocation).
func CLTInputs(d int) (x, y []float64) {
	if d < 1 || d > MaxEntries {
		return nil, nil
	}
	x, y = make([]float64, d), make([]float64, d)
	for i := range x {
		x[i], y[i] = 1, 1
		if i%3 == 0 {
			y[i] = -1
		}
	}
	return x, y
}

// DominantInputs returns x = e_1, y = e_2 in R^d (d >= 2): one dominant coordinate each, outside
// the CLT's condition. d < 2 or d > MaxEntries gives empty inputs (no allocation).
func DominantInputs(d int) (x, y []float64) {
	if d < 2 || d > MaxEntries {
		return nil, nil
	}
	x, y = make([]float64, d), make([]float64, d)
	x[0], y[1] = 1, 1
	return x, y
}
