package dae

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MaxDim caps the dimension D of a problem, a net, the data and the images' pixels (Rows Cols), and
// a width H: the D x D matrices the package forms (Sigma, P = W2 W1, the covariance and its
// eigenvectors) then hold at most 2^24 floats (128 MiB) each. Fashion-MNIST's D is 784.
const MaxDim = 1 << 12

// MaxFloats caps the floats of one array the package allocates from a count in its arguments (the
// n x D data of ExactData, the N x Rows Cols pixels of DecodeImages, the samples of NoiseSamples):
// 2^27, 1 GiB of float64, so that a huge count is an error naming the cap and not a fatal
// out-of-memory. Fashion-MNIST's 60 000 training images are 47 040 000 floats.
const MaxFloats = 1 << 27

// checkFloats returns an error unless r x c floats (r, c >= 0) fit MaxFloats; it never forms r c,
// which can overflow.
func checkFloats(what string, r, c int) error {
	if c > 0 && r > MaxFloats/c {
		return fmt.Errorf("dae: %s would be %d x %d floats, above the cap MaxFloats = %d", what, r, c, MaxFloats)
	}
	return nil
}

// checkDim returns an error unless d <= MaxDim.
func checkDim(what string, d int) error {
	if d > MaxDim {
		return fmt.Errorf("dae: %s %d is above the cap MaxDim = %d (its D x D matrices)", what, d, MaxDim)
	}
	return nil
}

// finiteMatrix returns an error (ErrNotFinite) naming the first entry of m that is NaN or
// infinite; only the entries of m, never those of a larger matrix m is a view of.
func finiteMatrix(what string, m mat.Matrix) error {
	r, c := m.Dims()
	for i := range r {
		for j := range c {
			if v := m.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s[%d][%d] = %v", ErrNotFinite, what, i, j, v)
			}
		}
	}
	return nil
}
