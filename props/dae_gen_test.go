package props

import (
	"sort"

	"pgregory.net/rapid"
)

// daeLambdas draws d eigenvalues in [0.2, 3] (the catalogue's grid spans 0.1 .. 2.5), large enough
// to grow within the horizon, in decreasing order: the decoupled start trains the first H, and on
// any other H modes it would be a saddle that rounding leaves (a stronger untrained mode grows from
// 1e-16 and takes over).
func daeLambdas(t *rapid.T, d int) []float64 {
	out := make([]float64, d)
	for i := range out {
		out[i] = rapid.Float64Range(0.2, 3).Draw(t, "lambda")
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(out)))
	return out
}

// flowCase draws a DAE-2 case: D in 2..6, H in 1..D, sigma2 in [0, 1], gamma 0 or in
// [0, 0.8 lambda_1] (modes with lambda <= gamma decay, which the closed form covers), u0 in
// [1e-3, 0.1], horizon 8, alpha lambda_1 = orderStep, rotated or not, mean or summed units.
func flowCase(t *rapid.T) FlowCase {
	d := rapid.IntRange(2, 6).Draw(t, "D")
	lam := daeLambdas(t, d)
	big := 0.0
	for _, l := range lam {
		big = max(big, l)
	}
	c := FlowCase{Lambda: lam, H: rapid.IntRange(1, d).Draw(t, "H"),
		Sigma2: rapid.Float64Range(0, 1).Draw(t, "sigma2"), U0: rapid.Float64Range(1e-3, 0.1).Draw(t, "u0"),
		T: 8, Alpha: orderStep / big, Rotated: rapid.Bool().Draw(t, "rotated"), Seed: rapid.Uint64().Draw(t, "seed")}
	if rapid.Bool().Draw(t, "decay") {
		// Up to 0.8 lambda_1: trained modes with lambda <= gamma decay (the closed form's a < 0
		// branch against descent).
		c.Gamma = rapid.Float64Range(0, 0.8*big).Draw(t, "gamma")
		if k := rapid.IntRange(0, 3*d).Draw(t, "mode at gamma"); k < d && lam[k] <= 0.8*big {
			c.Gamma = lam[k] // a = lambda - gamma = 0: u0 / (1 + 2 b u0 t), the closed form's own branch
		}
	}
	if rapid.Bool().Draw(t, "summed") {
		c.SumN = rapid.IntRange(2, 5000).Draw(t, "n")
	}
	return c
}
