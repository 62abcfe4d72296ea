// Package stats holds the suite's Monte-Carlo estimators: a running mean and variance (Welford,
// merged by Chan et al.'s pairwise formula) and an Estimate that carries the mean, its standard
// error and equal-sized block means, so a caller can use the normal bound for light-tailed samples
// or the median-of-means bound for heavy-tailed ones (the statistical checks of the claims in
// CLAIMS.md at the repository root).
//
// gonum's stat package works on stored slices; the simulations here stream billions of samples
// and cannot store them, so the one-pass accumulators are written by hand.
package stats
