package props

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/dae"
)

// thin keeps about n points of a trajectory sampled every rate, as (t, u) pairs.
func thin(us []float64, rate float64, n int) (ts, ys []float64) {
	every := max(1, len(us)/n)
	for k := 0; k < len(us); k += every {
		ts, ys = append(ts, float64(k)*rate), append(ys, us[k])
	}
	return ts, ys
}

// curveLine is a mode's closed-form curve on [0, tEnd].
func curveLine(name string, m dae.Mode, u0, tEnd float64) (claim.Series, error) {
	s := claim.Series{Name: name}
	for k := 0; k <= 200; k++ {
		t := tEnd * float64(k) / 200
		u, err := m.U(u0, t)
		if err != nil {
			return s, err
		}
		s.X, s.Y = append(s.X, t), append(s.Y, u)
	}
	return s, nil
}

// curvesFigure draws DAE-2's per-mode learning curves on synthetic data: the closed form (lines)
// and gradient descent at the case's step (points).
func curvesFigure(c FlowCase) (claim.Figure, error) {
	f := claim.Figure{File: "dae-curves-synthetic.png", Title: "DAE-2: per-mode learning curves, closed form and gradient descent",
		Caption: fmt.Sprintf("Strength u_i(t) of each trained mode (lambda = %v, sigma2 = %.3g, gamma = %.3g, u0 = %.3g, H = %d, rotated covariance): closed form (lines) and full-matrix gradient descent at alpha = %.3g (points).",
			c.Lambda, c.Sigma2, c.Gamma, c.U0, c.H, c.Alpha),
		XLabel: "t = alpha x steps", YLabel: "u_i(t)"}
	rate, us, err := c.run(c.Alpha)
	if err != nil {
		return f, err
	}
	for i := range c.H {
		line, err := curveLine(fmt.Sprintf("lambda = %.3g closed form", c.Lambda[i]), c.mode(i), c.U0, c.T)
		if err != nil {
			return f, err
		}
		col := make([]float64, len(us))
		for k := range us {
			col[k] = us[k][i]
		}
		pts := claim.Series{Name: fmt.Sprintf("lambda = %.3g descent", c.Lambda[i]), Points: true}
		pts.X, pts.Y = thin(col, rate, 40)
		f.Series = append(f.Series, line, pts)
	}
	return f, nil
}

// tfFigure draws t_f (f = 1/2, u0 = 0.001) against lambda for sigma2 = 0, 0.5, 1 without weight
// decay and for the weight decay matched at each lambda to sigma2 = 0.5 (closed forms).
func tfFigure() (claim.Figure, error) {
	f := claim.Figure{File: "dae-tf.png", Title: "DAE-4, DAE-6: time to half the fixed point against lambda",
		Caption: "t_{1/2} from u0 = 0.001 (closed form, lines) for noise sigma2 = 0, 0.5, 1, and for the weight decay matched to sigma2 = 0.5 at each lambda; points: one-mode gradient descent at alpha lambda = 0.01 with sigma2 = 0.5. Noise shortens the time a little (it lowers the target u*), matched weight decay multiplies it by 1 + sigma2/lambda.",
		XLabel:  "lambda", YLabel: "t_{1/2}", LogX: true, LogY: true}
	var lams []float64
	for k := 0; k <= 60; k++ {
		lams = append(lams, 0.05*pow10(float64(k)/30))
	}
	for _, s2 := range []float64{0, 0.5, 1} {
		s := claim.Series{Name: fmt.Sprintf("noise sigma2 = %.3g", s2)}
		for _, l := range lams {
			t, err := dae.Mode{Lambda: l, Sigma2: s2}.TFrac(0.001, 0.5)
			if err != nil {
				return f, err
			}
			s.X, s.Y = append(s.X, l), append(s.Y, t)
		}
		f.Series = append(f.Series, s)
	}
	s := claim.Series{Name: "weight decay matched to sigma2 = 0.5"}
	for _, l := range lams {
		g, err := dae.MatchedGamma(l, 0.5)
		if err != nil {
			return f, err
		}
		t, err := dae.Mode{Lambda: l, Gamma: g}.TFrac(0.001, 0.5)
		if err != nil {
			return f, err
		}
		s.X, s.Y = append(s.X, l), append(s.Y, t)
	}
	f.Series = append(f.Series, s)
	pts := claim.Series{Name: "gradient descent, sigma2 = 0.5", Points: true}
	for _, l := range []float64{0.1, 0.3, 1, 3} {
		fc := FlowCase{Lambda: []float64{l}, H: 1, Sigma2: 0.5, U0: 0.001, Alpha: 0.01 / l}
		m := fc.mode(0)
		th, err := m.TFrac(0.001, 0.5)
		if err != nil {
			return f, err
		}
		fc.T = 1.5 * th
		_, us, err := fc.run(fc.Alpha)
		if err != nil {
			return f, err
		}
		col := make([]float64, len(us))
		for k := range us {
			col[k] = us[k][0]
		}
		us0, err := m.UStar()
		if err != nil {
			return f, err
		}
		t, err := halfTime(col, us0/2, fc.Alpha)
		if err != nil {
			return f, err
		}
		pts.X, pts.Y = append(pts.X, l), append(pts.Y, t)
	}
	f.Series = append(f.Series, pts)
	return f, nil
}

func pow10(x float64) float64 { return math.Pow(10, x) }

// realFigure draws DAE-9: the top modes' strengths on Fashion-MNIST (closed form at the effective
// u0 as lines, gradient descent as points) and the matched weight decay's curve on the last mode.
func realFigure(c RealCase, res RealResult) (claim.Figure, error) {
	f := claim.Figure{File: "dae-curves-fashion.png", Title: "DAE-9: Fashion-MNIST, the top five modes and matched weight decay",
		Caption: fmt.Sprintf("Strengths v_i^T W2 W1 v_i of the top %d eigen-directions of the uncentred covariance of %d images (D = %d, H = %d, sigma2 = %.3g, alpha = %.3g) from a random start: closed form at the effective u0 = %.3g (lines), gradient descent (points), and mode %d under the matched weight decay gamma = %.3g without noise (its closed form dashed by name).",
			c.Modes, c.Images, len(res.Lambda), c.H, c.Sigma2, res.Alpha, res.U0, c.Modes, res.Gamma),
		XLabel: "t = alpha x steps", YLabel: "u_i(t)"}
	tEnd := float64(len(res.WDCurve)) * res.Alpha
	for i := range c.Modes {
		m := dae.Mode{Lambda: res.Lambda[i], Sigma2: c.Sigma2}
		line, err := curveLine(fmt.Sprintf("mode %d closed form", i+1), m, res.U0, tEnd)
		if err != nil {
			return f, err
		}
		pts := claim.Series{Name: fmt.Sprintf("mode %d descent", i+1), Points: true}
		pts.X, pts.Y = thin(res.Curves[i], res.Alpha, 40)
		f.Series = append(f.Series, line, pts)
	}
	wd := dae.Mode{Lambda: res.Lambda[c.Modes-1], Gamma: res.Gamma}
	line, err := curveLine(fmt.Sprintf("mode %d weight decay closed form", c.Modes), wd, res.U0, tEnd)
	if err != nil {
		return f, err
	}
	pts := claim.Series{Name: fmt.Sprintf("mode %d weight decay descent", c.Modes), Points: true}
	pts.X, pts.Y = thin(res.WDCurve, res.Alpha, 40)
	f.Series = append(f.Series, line, pts)
	return f, nil
}
