package props

import (
	"math"
	"math/rand/v2"

	simrbp "github.com/dlt5/verify/numeric/rbp"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// tanhProblem draws a contractive tanh problem of size 1..maxN with |W|_2 in [0.05, 0.95].
func tanhProblem(t *rapid.T, maxN int) simrbp.TanhProblem {
	p, err := simrbp.NewTanhProblem(rapid.IntRange(1, maxN).Draw(t, "n"), rapid.Float64Range(0.05, 0.95).Draw(t, "|W|_2"), rapid.Uint64().Draw(t, "seed"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// spectrum draws a spectrum whose largest modulus is rho in [lo, hi]: one real eigenvalue +-rho
// or (when complexLead) possibly a complex pair of modulus rho, then up to four more real
// eigenvalues or complex pairs of modulus at most rho/2 when gapped (a two-fold gap, which only a
// rate needs: the error's rate converges to rho at the speed of the gap) and at most rho otherwise
// (close and equal moduli included), and the condition number cond in [1, 8] of the eigenvector
// basis (1: a normal J; above: non-normal).
func spectrum(t *rapid.T, lo, hi float64, complexLead, gapped bool) ([]complex128, float64) {
	top := 1.0
	if gapped {
		top = 0.5
	}
	rho := rapid.Float64Range(lo, hi).Draw(t, "rho")
	var eigs []complex128
	if complexLead && rapid.Bool().Draw(t, "complex leading pair") {
		phi := rapid.Float64Range(0.1, 3).Draw(t, "leading angle")
		eigs = append(eigs, polar(rho, phi))
	} else {
		eigs = append(eigs, complex([]float64{rho, -rho}[rapid.IntRange(0, 1).Draw(t, "sign")], 0))
	}
	for range rapid.IntRange(0, 4).Draw(t, "others") {
		r := rapid.Float64Range(0, top*rho).Draw(t, "modulus")
		if rapid.Bool().Draw(t, "pair") {
			eigs = append(eigs, polar(r, rapid.Float64Range(0.1, 3).Draw(t, "angle")))
		} else {
			eigs = append(eigs, complex([]float64{r, -r}[rapid.IntRange(0, 1).Draw(t, "other sign")], 0))
		}
	}
	return eigs, rapid.Float64Range(1, 8).Draw(t, "cond")
}

// polar is r e^{i phi}.
func polar(r, phi float64) complex128 { return complex(r*math.Cos(phi), r*math.Sin(phi)) }

// spectralCase draws J with a spectrum from spectrum(lo, hi, complexLead, gapped) and a generic b
// (a seeded Gaussian, so it has a component along the dominant eigenvector).
func spectralCase(t *rapid.T, lo, hi float64, complexLead, gapped bool) Spectral {
	eigs, cond := spectrum(t, lo, hi, complexLead, gapped)
	seed := rapid.Uint64().Draw(t, "seed")
	j, err := simrbp.SpectrumMatrix(eigs, cond, seed)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := j.Dims()
	rng := rand.New(rand.NewPCG(seed, 11))
	b := make([]float64, n)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	return Spectral{J: j, B: b}
}

// dims is the size of a matrix.
func dims(j *mat.Dense) int {
	n, _ := j.Dims()
	return n
}
