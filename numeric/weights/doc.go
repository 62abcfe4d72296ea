// Package weights samples weight rows w in R^d from the laws the kernel paper (Tsuchida, Roosta and
// Gallagher, ICML 2018) compares: rotationally invariant laws (Gaussian, multivariate Student-t,
// uniform on a sphere, a Gaussian scale mixture), for which Theorem 3 gives the kernel exactly, and
// i.i.d. laws that are not rotationally invariant (uniform, Rademacher, Laplace, centred
// exponential), for which the paper's CLT argument gives it only as d grows.
//
// Every law draws whole vectors from an explicit *rand.Rand; nothing here holds random state.
// A law's Scale is the standard deviation of one coordinate (for the sphere, its radius). Laws are
// plain values: Check (nil laws, including typed nils, and the law's own Validate) is what every
// function taking a Law calls first, so a NaN, infinite, zero or negative parameter is an error,
// and so is a scale whose square (a coordinate's variance) is not a normal float64 (outside about
// [1.5e-154, 1.3e154]).
package weights
