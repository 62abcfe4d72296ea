// Package kernel simulates the setting of Tsuchida, Roosta and Gallagher (ICML 2018): it estimates
// the equivalent kernel E_w[f_a(w.x) f_a(w.y)] by sampling whole d-dimensional weight vectors from
// a weights.Law (never a shortcut through the 2-D projection of w, which would assume the
// rotational invariance under test), with or without exact variance reductions (KernelEstimate:
// antithetic pairs and control variates whose means are known exactly; the plain KernelMC is the
// estimator a user would write), computes it exactly for Rademacher weights by enumeration,
// and runs wide deep Leaky ReLU networks. The closed forms it is compared with are in
// theory/kernel; the comparisons are the KER claims in package props.
//
// Every estimator validates its arguments (a nil or invalid weight law, a nil random source,
// mismatched, empty or non-finite inputs, out-of-range slopes and sizes, sizes beyond MaxEntries)
// and returns an error, never a panic, when they are wrong or when the result would overflow
// float64.
package kernel
