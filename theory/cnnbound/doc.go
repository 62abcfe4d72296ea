// Package cnnbound holds the closed forms of Zhou, Feng, "Understanding Generalization and
// Optimization Performance of Deep CNNs" (ICML 2018), as the claim catalogue states them (the CNN
// claims): the architecture's size recursion, its freedom degree theta and parameter count d, the
// magnitude term varrho, the generalisation bound B(n) of Theorem 1, the gradient bound G(n) and
// beta of Theorem 2, the stationary-point distance of Theorem 3, and the earlier bound of Sun et
// al. (2016) it is compared with. Logarithms are natural.
//
// Every function validates its arguments and returns an error, never NaN or an infinity with a nil
// error: an invalid architecture (a kernel larger than its input, sizes that do not divide, k < s,
// non-positive counts, a norm bound b <= 0), a bound where it is undefined (a logarithm of a
// non-positive number, or theta varrho + ln(4/eps) <= 0), and a result that overflows the largest
// float or (for the bounds, whose exact values are positive) underflows below the smallest normal
// one. Small arguments are not divided into (4/eps, 2/zeta and ln(r0 c0)/n overflow for subnormal
// eps, zeta and n where the result is finite): such results are computed from logarithms or
// mantissas and exponents, and logarithms of subnormal arguments are taken after an exact scaling
// (Go's amd64 math.Log misreads subnormals: golang/go#56600).
package cnnbound
