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

// deviationFigures draws CNN-7's RMS sup-over-weights gradient deviation against n (log-log, the
// control-variate estimates with +-2 SE bars) with the slope -1/2 line through their geometric
// mean, and the measured sup generalisation gap (its 95% quantile over replicates and its mean)
// against B(n).
func deviationFigures(c MCCase, r MCResult) ([]claim.Figure, error) {
	dev := claim.Figure{File: "cnnbound-deviation.png", Title: "CNN-7: uniform convergence of the empirical gradient",
		Caption: fmt.Sprintf("sqrt(E max_w |grad R_n(w) - grad R(w)|^2) over %d weight vectors of %s inside the norm bounds, estimated over %d replicates (an independent sample at each n) from a synthetic population of %d points with per-weight control variates (points, +-2 SE), and the slope -1/2 (line).", c.Weights, c.Arch.Name, c.Reps, c.M),
		XLabel:  "n (samples)", YLabel: "sup-over-weights gradient deviation", LogX: true, LogY: true}
	m, se, err := r.means()
	if err != nil {
		return nil, err
	}
	pts, line := claim.Series{Name: "measured", Points: true}, claim.Series{Name: "slope -1/2"}
	var logC float64 // the mean of ln(sqrt(m_k n_k)): the line's level
	for k, n := range r.Ns {
		logC += 0.5 * math.Log(m[k]*float64(n)) / float64(len(r.Ns))
	}
	for k, n := range r.Ns {
		x := float64(n)
		pts.X, pts.Y, pts.SE = append(pts.X, x), append(pts.Y, math.Sqrt(m[k])), append(pts.SE, se[k]/(2*math.Sqrt(m[k])))
		line.X, line.Y = append(line.X, x), append(line.Y, math.Exp(logC)/math.Sqrt(x))
	}
	dev.Series = append(dev.Series, pts, line)
	return []claim.Figure{dev, gapFigure(c, r)}, nil
}

// gapFigure draws the sup over the weight set of |R_n(w) - R(w)| (its 95% quantile and mean over
// replicates) against B(n), eps = 0.05.
func gapFigure(c MCCase, r MCResult) claim.Figure {
	gap := claim.Figure{File: "cnnbound-gap.png", Title: "CNN-7: the measured generalisation gap against Theorem 1's bound",
		Caption: fmt.Sprintf("max over %d weight vectors of %s of |R_n(w) - R(w)| (the loss 1/2 |v - y|^2 in [0, 1]): its 95%% quantile over %d replicates, the level Theorem 1 bounds with probability 1 - eps (points), its mean (points), and B(n), eps = 0.05 (line, where defined).", c.Weights, c.Arch.Name, c.Reps),
		XLabel:  "n (samples)", YLabel: "gap", LogX: true, LogY: true}
	q, mean, bl := claim.Series{Name: "95% quantile of the sup gap", Points: true}, claim.Series{Name: "mean sup gap", Points: true}, claim.Series{Name: "B(n)"}
	for k, n := range r.Ns {
		q95, mu := r.gapStats(k)
		q.X, q.Y = append(q.X, float64(n)), append(q.Y, q95)
		mean.X, mean.Y = append(mean.X, float64(n)), append(mean.Y, mu)
		if !math.IsNaN(r.Bounds[k]) {
			bl.X, bl.Y = append(bl.X, float64(n)), append(bl.Y, r.Bounds[k])
		}
	}
	gap.Series = append(gap.Series, q, mean, bl)
	return gap
}
