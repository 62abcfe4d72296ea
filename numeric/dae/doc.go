// Package dae simulates the linear denoising autoencoder of Pretorius, Kroon, Kamper (ICML 2018)
// that theory/dae solves in closed form: full-matrix gradient descent on the noise-averaged loss
// (in pixel space or in the data covariance's eigenbasis, in the catalogue's mean-over-the-data
// units or the authors' sum-over-the-data units), gradient descent with the noise sampled each
// step, the Monte-Carlo noise average, the decoupled balanced and small random starts, and the
// Fashion-MNIST images (the standard gzipped IDX files) with their covariance and eigenbasis.
//
// Matrices are gonum's; the step loop reuses its buffers. Randomness comes only from explicit
// seeds. Every exported function validates its arguments and returns an error, never a panic or a
// silent NaN; sizes taken from arguments are capped (MaxDim for D and H, MaxFloats for one
// allocated array) so that a huge count is an error naming the cap, not a fatal out-of-memory.
package dae
