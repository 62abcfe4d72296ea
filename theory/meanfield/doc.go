// Package meanfield holds the closed forms of Chen, Pennington, Schoenholz, "Dynamical Isometry
// and a Mean Field Theory of RNNs: Gating Enables Signal Propagation in Recurrent Neural
// Networks" (ICML 2018), as the claim catalogue states them (the MF claims): Gaussian
// expectations by a quadrature that keeps its digits at large variance, the vanilla tanh RNN's
// variance map, fixed point and Jacobian moments, and the critical initialisation. Most formulas
// are derived by the suite from the paper's mean-field framework (Poole et al. 2016, Schoenholz
// et al. 2017, with an input term); each function says which.
//
// Every function validates its arguments and returns an error, never NaN: negative or
// non-finite variances, a zero variance where the formula needs it positive, and a fixed point
// that does not exist.
package meanfield
