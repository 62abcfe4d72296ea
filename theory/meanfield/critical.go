package meanfield

import (
	"fmt"
	"math"
	"math/big"
)

// VanillaCriticalSW2 returns the critical weight variance of the vanilla network's critical scheme,
// sw2 = 1/mu_1(q*), at which chi_1 = 1 (derived; catalogue, "Jacobian over T steps", MF-7).
// Dimensionless (a variance). Errors: q* <= 0 or not finite (the scheme needs a positive fixed
// point).
func VanillaCriticalSW2(qstar float64) (float64, error) {
	if !(qstar > 0) || math.IsInf(qstar, 0) {
		return 0, fmt.Errorf("meanfield: the critical scheme needs q* > 0 finite, got %v", qstar)
	}
	m, err := Mu(1, qstar)
	if err != nil {
		return 0, err
	}
	return finite("1/mu_1", 1/m)
}

// VanillaCriticalWidth returns the spread per step of the critical scheme's Jacobian,
// mu_2/mu_1^2 - 1 at q* (derived; about 8 q*^2 as q* -> 0). Dimensionless. Errors: as
// VanillaCriticalSW2.
func VanillaCriticalWidth(qstar float64) (float64, error) {
	if _, err := VanillaCriticalSW2(qstar); err != nil {
		return 0, err
	}
	m1, err1 := Mu(1, qstar)
	m2, err2 := Mu(2, qstar)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("meanfield: %v %v", err1, err2)
	}
	return finite("mu_2/mu_1^2 - 1", m2/(m1*m1)-1)
}

// seriesLimit is the largest q* for which VanillaCriticalDrive uses its series. The series in q*
// is asymptotic (its coefficients grow factorially): against the quadrature it is off by 1.8e-9
// relative at q* = 0.01 and 4e-7 at 0.02, and far below 1e-10 under 0.004. Above the limit the
// direct quadrature loses a factor 1/q*^2 <= 2.5e5 to cancellation: about 5e-11 relative.
const seriesLimit = 0.002

// VanillaCriticalDrive returns the input drive s = q* - E[tanh^2(sqrt(q*) z)]/mu_1(q*) that the
// critical scheme allows at fixed point q* (derived; catalogue MF-7), about (4/3) q*^3 for small
// q*. The two terms agree to O(q*^3), so the difference is computed without cancellation: for
// q* <= 0.002 from its series in q*, whose coefficients come exactly (rational arithmetic) from the
// Taylor series of tanh^2 and sech^4 and the Gaussian moments E z^(2k) = (2k-1)!!; above that by
// quadrature of the combined integrand E[q* sech^4 - tanh^2]/mu_1. Units: a variance. Errors: q* <= 0
// or not finite.
func VanillaCriticalDrive(qstar float64) (float64, error) {
	sw2, err := VanillaCriticalSW2(qstar)
	if err != nil {
		return 0, err
	}
	if qstar <= seriesLimit {
		return driveSeries(qstar), nil
	}
	e, err := Expect(func(x float64) float64 { s := sech2(x); return qstar*s*s - tanh2(x) }, 0, qstar)
	if err != nil {
		return 0, err
	}
	return finite("the critical drive", e*sw2)
}

// driveOrder is the number of Taylor terms (in x^2) of tanh^2 and sech^4 the series keeps.
const driveOrder = 9

// driveCoeffs are the coefficients c_k of drive(q) = sum_k c_k q^k, k = 0 .. driveOrder, computed
// once from exact rationals.
var driveCoeffs = driveSeriesCoeffs()

// driveSeries evaluates the drive's series (Horner).
func driveSeries(q float64) float64 {
	var s float64
	for k := len(driveCoeffs) - 1; k >= 0; k-- {
		s = s*q + driveCoeffs[k]
	}
	return s
}

// driveSeriesCoeffs computes, in exact rationals, N(q) = E[tanh^2(sqrt(q) z)] and
// D(q) = E[sech^4(sqrt(q) z)] as series in q, and then (q D - N) / D, whose coefficients of q^0 ..
// q^2 vanish exactly. tanh x = sum_n T_n x^(2n-1), T_n = 2^(2n) (2^(2n) - 1) B_(2n) / (2n)!.
func driveSeriesCoeffs() []float64 {
	bern := []*big.Rat{ // B_2 .. B_20
		big.NewRat(1, 6), big.NewRat(-1, 30), big.NewRat(1, 42), big.NewRat(-1, 30), big.NewRat(5, 66),
		big.NewRat(-691, 2730), big.NewRat(7, 6), big.NewRat(-3617, 510), big.NewRat(43867, 798), big.NewRat(-174611, 330),
	}
	n := driveOrder + 1
	// tanh as a series in x: coefficient of x^(2m+1) at index m.
	tanh := make([]*big.Rat, n)
	fact := big.NewInt(1)
	for m := range n {
		k := int64(m + 1) // T_k multiplies x^(2k-1)
		fact.Mul(fact, big.NewInt(2*k-1))
		fact.Mul(fact, big.NewInt(2*k))
		p := new(big.Int).Lsh(big.NewInt(1), uint(2*k))
		num := new(big.Int).Mul(p, new(big.Int).Sub(p, big.NewInt(1)))
		t := new(big.Rat).Mul(new(big.Rat).SetInt(num), bern[m])
		tanh[m] = t.Quo(t, new(big.Rat).SetInt(fact))
	}
	// tanh^2 as a series in x^2 (index j: coefficient of x^(2j+2)), then shifted to x^(2j).
	t2 := make([]*big.Rat, n+1)
	for j := range t2 {
		t2[j] = new(big.Rat)
	}
	for a := range n {
		for b := range n - a {
			t2[a+b+1].Add(t2[a+b+1], new(big.Rat).Mul(tanh[a], tanh[b]))
		}
	}
	// sech^4 = (1 - tanh^2)^2 in x^2.
	one := make([]*big.Rat, n+1)
	for j := range one {
		one[j] = new(big.Rat).Neg(t2[j])
	}
	one[0].Add(one[0], big.NewRat(1, 1))
	s4 := make([]*big.Rat, n+1)
	for j := range s4 {
		s4[j] = new(big.Rat)
	}
	for a := range one {
		for b := range len(one) - a {
			s4[a+b].Add(s4[a+b], new(big.Rat).Mul(one[a], one[b]))
		}
	}
	// Gaussian moments: x^(2j) -> (2j-1)!! q^j.
	dfact := big.NewRat(1, 1)
	N, D := make([]*big.Rat, n+1), make([]*big.Rat, n+1)
	for j := range n + 1 {
		if j > 0 {
			dfact.Mul(dfact, big.NewRat(int64(2*j-1), 1))
		}
		N[j] = new(big.Rat).Mul(t2[j], dfact)
		D[j] = new(big.Rat).Mul(s4[j], dfact)
	}
	// P = q D - N, then P / D by series division.
	P := make([]*big.Rat, n+1)
	for j := range P {
		P[j] = new(big.Rat).Neg(N[j])
		if j > 0 {
			P[j].Add(P[j], D[j-1])
		}
	}
	out := make([]float64, n+1)
	Q := make([]*big.Rat, n+1)
	for j := range Q {
		r := new(big.Rat).Set(P[j])
		for i := 1; i <= j; i++ {
			r.Sub(r, new(big.Rat).Mul(D[i], Q[j-i]))
		}
		Q[j] = r.Quo(r, D[0])
		out[j], _ = Q[j].Float64()
	}
	return out
}
