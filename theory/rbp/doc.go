// Package rbp holds the closed forms of Liao, Xiong, Fetaya, Zhang, Yoon, Pitkow, Urtasun and
// Zemel, "Reviving and Improving Recurrent Back-Propagation" (ICML 2018): the implicit gradient of a
// loss through the fixed point h* = F(x, w, h*) of a convergent recurrence, by a dense solve of
// (I - J^T) z = b (the implicit function theorem, the paper's Section 2); the exact truncation
// error of the Neumann series behind Neumann-RBP and its bound (Section 3.3); the closed form of the
// linear recurrence; the continuous Hopfield network's energy (Hopfield, 1984; the paper's
// Section 4.1); and the fixed point and Jacobian of SGD with momentum on a quadratic loss, the
// recurrence behind hyper-parameter optimisation (Section 4.3).
//
// Matrices are gonum mat types; J is dF/dh at the fixed point (n x n), b = (dL/dh*)^T. Everything
// is a pure function of its arguments; the simulations are in numeric/rbp and the claims
// (RBP-1 .. RBP-9, catalogued in CLAIMS.md at the repository root) in package props.
//
// Every function validates its arguments: a nil matrix (also a typed nil such as
// (*mat.Dense)(nil)), an empty one, one larger than MaxDim, mismatched shapes, a NaN or infinite
// entry, or a result that would overflow float64 give an error saying what was wrong, never a
// panic and never a NaN or infinite value with a nil error.
package rbp
