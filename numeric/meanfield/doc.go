// Package meanfield simulates the random recurrent networks of Chen, Pennington, Schoenholz
// (ICML 2018) that theory/meanfield describes in the mean-field limit: wide vanilla tanh RNNs with
// Gaussian or Haar-orthogonal recurrent weights, driven by Gaussian inputs, their products taken
// by internal/vec (each row of W read once for every sequence), with the step loop's buffers
// reused. Randomness comes only from an explicit seed. Every function
// validates its arguments and returns an error, never a panic or a silent NaN.
package meanfield
