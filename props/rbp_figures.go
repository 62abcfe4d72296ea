package props

// The RBP paper's figure: the Neumann error against K.

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/props/claim"
)

// neumannFigure is the RBP-3 figure: the Neumann-RBP gradient error against K on the canonical
// problem, with the slope rho(J)^K.
func neumannFigure() (claim.Figure, error) {
	errs, rho, err := neumannErrors(15)
	if err != nil {
		return claim.Figure{}, err
	}
	f := claim.Figure{File: "rbp-neumann.png", Title: "RBP-3: Neumann-RBP's error falls like rho(J)^K",
		Caption: "The Frobenius norm of Neumann-RBP(K)'s gradient error against K on the canonical problem (closed form), with the line rho(J)^K.",
		XLabel:  "K (vector-Jacobian products)", YLabel: "|Neumann-RBP(K) - implicit|_F", LogY: true}
	pts, ref := claim.Series{Name: "canonical problem", Points: true}, claim.Series{Name: fmt.Sprintf("rho(J)^K, rho = %.3f", rho)}
	for k, e := range errs {
		pts.X, pts.Y = append(pts.X, float64(k)), append(pts.Y, e)
		ref.X, ref.Y = append(ref.X, float64(k)), append(ref.Y, errs[0]*math.Pow(rho, float64(k)))
	}
	f.Series = []claim.Series{pts, ref}
	return f, nil
}
