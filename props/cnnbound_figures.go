package props

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/cnnbound"
)

// logGrid returns k+1 points from lo to hi evenly spaced in log.
func logGrid(lo, hi float64, k int) []float64 {
	out := make([]float64, k+1)
	for i := range out {
		out[i] = lo * math.Pow(hi/lo, float64(i)/float64(k))
	}
	return out
}

// boundFigure draws B(n) against n for A1..A3 (eps = 0.05) with the level 1, the largest loss.
func boundFigure() (claim.Figure, error) {
	f := claim.Figure{File: "cnnbound-bound.png", Title: "CNN-2: Theorem 1's bound against n",
		Caption: "B(n) = sqrt((theta varrho + ln(4/eps)) / (2n)), eps = 0.05, for the reference architectures A1..A3 (lines where the bound is defined), and the level 1, the largest possible loss: below it the bound says something.",
		XLabel:  "n (samples)", YLabel: "B(n)", LogX: true, LogY: true}
	ns := logGrid(1e3, 1e8, 50)
	for _, name := range []string{"A1", "A2", "A3"} {
		a, err := cnnbound.Reference(name)
		if err != nil {
			return f, err
		}
		s := claim.Series{Name: name}
		for _, n := range ns {
			if b, err := a.Bound(n, 0.05); err == nil {
				s.X, s.Y = append(s.X, n), append(s.Y, b)
			}
		}
		f.Series = append(f.Series, s)
	}
	f.Series = append(f.Series, claim.Series{Name: "largest loss (1)", X: []float64{ns[0], ns[len(ns)-1]}, Y: []float64{1, 1}})
	return f, nil
}

// magnitudeFigure draws B and the Sun et al. term against the magnitude scale c for A2 (n = 1e5).
func magnitudeFigure() (claim.Figure, error) {
	f := claim.Figure{File: "cnnbound-magnitude.png", Title: "CNN-3: logarithmic against exponential dependence on the weight magnitudes",
		Caption: "A2 at n = 1e5, eps = 0.05, every norm bound scaled by c: Theorem 1's B grows like sqrt(ln c), the Sun et al. (2016) Rademacher term (bx = 1, b~ the largest bound) like c^{l+1}.",
		XLabel:  "magnitude scale c", YLabel: "bound", LogX: true, LogY: true}
	a, err := cnnbound.Reference("A2")
	if err != nil {
		return f, err
	}
	ours, sun := claim.Series{Name: "Theorem 1 B"}, claim.Series{Name: "Sun et al. R_m"}
	for _, c := range logGrid(0.5, 100, 40) {
		s := scaleB(a, -1, c)
		b, err1 := s.Bound(1e5, 0.05)
		r, err2 := s.SunRademacher(1e5, 1, c*maxB(a))
		if err1 == nil {
			ours.X, ours.Y = append(ours.X, c), append(ours.Y, b)
		}
		if err2 == nil {
			sun.X, sun.Y = append(sun.X, c), append(sun.Y, r)
		}
	}
	f.Series = append(f.Series, ours, sun)
	return f, nil
}

// deviationFigure draws CNN-7's RMS gradient deviation against n (log-log) with the slope -1/2
// line through the first point, and the measured generalisation gap against B(n).
func deviationFigures(c MCCase, r MCResult) ([]claim.Figure, error) {
	dev := claim.Figure{File: "cnnbound-deviation.png", Title: "CNN-7: uniform convergence of the empirical gradient",
		Caption: fmt.Sprintf("RMS over %d replicates of |grad R_n(w) - grad R(w)| at fixed random weights of %s, sampling a synthetic population of %d points (points), and the slope -1/2 through the first point (line).", c.Reps, c.Arch.Name, c.M),
		XLabel:  "n (samples)", YLabel: "gradient deviation", LogX: true, LogY: true}
	pts, line := claim.Series{Name: "measured", Points: true}, claim.Series{Name: "slope -1/2"}
	for k, n := range r.Ns {
		pts.X, pts.Y = append(pts.X, float64(n)), append(pts.Y, r.RMSDev[k])
		line.X, line.Y = append(line.X, float64(n)), append(line.Y, r.RMSDev[0]*math.Sqrt(float64(r.Ns[0])/float64(n)))
	}
	dev.Series = append(dev.Series, pts, line)
	gap := claim.Figure{File: "cnnbound-gap.png", Title: "CNN-7: the measured generalisation gap against Theorem 1's bound",
		Caption: fmt.Sprintf("Mean |R_n(w) - R(w)| over %d replicates at the fixed weights of %s (points) and B(n), eps = 0.05 (line, where defined): the bound is loose by two orders of magnitude or more.", c.Reps, c.Arch.Name),
		XLabel:  "n (samples)", YLabel: "gap", LogX: true, LogY: true}
	gp, bl := claim.Series{Name: "measured gap", Points: true}, claim.Series{Name: "B(n)"}
	for k, n := range r.Ns {
		if r.Gap[k] > 0 {
			gp.X, gp.Y = append(gp.X, float64(n)), append(gp.Y, r.Gap[k])
		}
		if !math.IsNaN(r.Bounds[k]) {
			bl.X, bl.Y = append(bl.X, float64(n)), append(bl.Y, r.Bounds[k])
		}
	}
	gap.Series = append(gap.Series, gp, bl)
	return []claim.Figure{dev, gap}, nil
}
