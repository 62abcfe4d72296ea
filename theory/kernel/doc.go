// Package kernel holds the closed forms of Tsuchida, Roosta and Gallagher, "Invariance of Weight
// Distributions in Rectified MLPs" (ICML 2018): the equivalent kernel of a one-hidden-layer network
// with Leaky ReLU units f_a(u) = max(u, a u), 0 <= a <= 1, under any rotationally invariant weight
// law, the deep normalised kernel map and its asymptotics, and the variance-preserving scale.
//
// Everything here is a pure function of its arguments: no randomness, no simulation. The claims
// that check these formulas (KER-1 .. KER-7, catalogued in CLAIMS.md at the repository root) live
// in package props, and the simulations they are checked against in numeric/kernel.
//
// Every function validates its arguments: an angle outside [0, pi], a slope outside [0, 1], a NaN
// or infinite entry, mismatched or empty inputs, or a result that would overflow float64 give an
// error saying what was wrong, never a panic and never a NaN or infinite value with a nil error.
//
// Units: angles are in radians; a kernel value has the units of w.x times w.y (the square of the
// pre-activation); cosines and normalised kernels are dimensionless.
package kernel
