// Package meanfield simulates the random recurrent networks of Chen, Pennington, Schoenholz
// (ICML 2018) that theory/meanfield describes in the mean-field limit: wide vanilla tanh RNNs with
// Gaussian or Haar-orthogonal recurrent weights, driven by Gaussian inputs, on gonum's BLAS, with
// the step loop's buffers reused. Randomness comes only from an explicit seed. Every function
// validates its arguments and returns an error, never a panic or a silent NaN.
package meanfield
