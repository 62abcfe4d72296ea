// Package dae holds the closed forms of Pretorius, Kroon, Kamper, "Learning Dynamics of Linear
// Denoising Autoencoders" (ICML 2018), as the claim catalogue states them (the DAE claims): the
// per-mode learning curve u(t) of a linear autoencoder trained by gradient flow on inputs
// corrupted by isotropic Gaussian noise of variance sigma2, with weight decay gamma, its fixed
// point u*, the time t_f to reach a fraction f of it, and the weight decay that matches the
// noise's fixed point on one mode.
//
// Units (the catalogue's tau = 1 convention): lambda is an eigenvalue of the data covariance
// Sigma = (1/N) sum_n x_n x_n^T (the square of the data's units), sigma2 the noise variance in the
// same units, gamma the weight decay (same units: it enters beside lambda), u the dimensionless
// strength of a mode, and t = alpha * steps for gradient descent of learning rate alpha. The
// authors' convention (a sum over the data) multiplies lambda, sigma2 and gamma by N; every formula
// here is invariant under that scaling with t divided by N.
//
// Every function validates its arguments and returns an error, never NaN: lambda, sigma2 or
// gamma negative or not finite, u0 <= 0, t < 0, f outside (0, 1), and t_f where it is undefined.
package dae
