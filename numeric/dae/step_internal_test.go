package dae

import (
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSubTransposed: dst -= a^T entry by entry, through strided views, and a shape mismatch
// panics as gonum's Sub does.
func TestSubTransposed(t *testing.T) {
	big := mat.NewDense(4, 5, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	dst := big.Slice(1, 3, 1, 4).(*mat.Dense) // 2 x 3 view, stride 5
	a := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6})
	var want mat.Dense
	want.Sub(dst, a.T())
	subTransposed(dst, a)
	if !mat.Equal(dst, &want) {
		t.Errorf("got\n%v\nwant\n%v", mat.Formatted(dst), mat.Formatted(&want))
	}
	if big.At(0, 0) != 1 || big.At(1, 0) != 6 || big.At(1, 4) != 10 || big.At(3, 4) != 20 {
		t.Errorf("entries outside the view changed:\n%v", mat.Formatted(big))
	}
	for _, c := range []struct{ dst, a *mat.Dense }{
		{mat.NewDense(2, 3, nil), mat.NewDense(2, 3, nil)},
		{mat.NewDense(2, 2, nil), mat.NewDense(2, 1, nil)}, // without the check: row 0 only, silently
		{mat.NewDense(2, 2, nil), mat.NewDense(3, 2, nil)}, // the columns alone disagree
	} {
		func() {
			defer func() {
				if r := recover(); r != mat.ErrShape {
					t.Errorf("%d-row minus %d-row transposed: recovered %v, want mat.ErrShape", c.dst.RawMatrix().Rows, c.a.RawMatrix().Rows, r)
				}
			}()
			subTransposed(c.dst, c.a)
		}()
	}
}
