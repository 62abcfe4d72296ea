package props

// The kernel paper's figures: the kernel against the angle, the deep map, the CLT gap.

import (
	"fmt"
	"math"

	simkernel "github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/weights"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/kernel"
)

// invariance returns a KER-1 case's simulation and closed form: the helper that both KER1 and its
// figure use.
func invariance(c Invariance) (kernelSim, float64, error) {
	if err := needLaws(c.Law); err != nil {
		return kernelSim{}, 0, err
	}
	exact, err := orKernel(c.Formula)(c.X, c.Y, c.Law.SecondMoment(len(c.X)), c.A)
	if err != nil {
		return kernelSim{}, 0, err
	}
	sim, err := simulateKernel(c.Law, c.A, c.X, c.Y, c.N, c.Seed, false)
	return sim, exact, err
}

// angleFigureLaws are the rotationally invariant laws of the KER-1 figure (light tails, so each
// point's standard error is a fair error bar).
var angleFigureLaws = []weights.Law{weights.Gaussian{Scale: 1}, weights.StudentT{Nu: 40, Scale: 1},
	weights.Sphere{Radius: math.Sqrt(10)}, weights.GaussMixture{Scale: 1, Low: 0.2, P: 0.5}}

// kernelAngleFigure is the KER-1 figure: kappa_a(theta) for a = 0 and 1/2 against Monte-Carlo
// estimates of k / (s2 |x||y|) from n weight vectors of four laws at d = 10, theta = j pi/12 for
// odd j.
func kernelAngleFigure(seed uint64, n int) (claim.Figure, error) {
	f := claim.Figure{File: "kernel-angle.png", Title: "KER-1: one kernel for every rotationally invariant law",
		Caption: fmt.Sprintf("The normalised kernel k/(s2|x||y|) against the angle: kappa_a (lines) and Monte-Carlo estimates from %d whole weight vectors in R^10 of four laws (points, +-2 SE).", n),
		XLabel:  "theta (radians)", YLabel: "k / (s2 |x||y|)"}
	for _, a := range []float64{0, 0.5} {
		line := claim.Series{Name: fmt.Sprintf("kappa_a, a = %g", a)}
		for j := 0; j <= 60; j++ {
			th := math.Pi * float64(j) / 60
			k, err := kernel.Kappa(th, a)
			if err != nil {
				return f, err
			}
			line.X, line.Y = append(line.X, th), append(line.Y, k)
		}
		f.Series = append(f.Series, line)
	}
	const d = 10
	for li, law := range angleFigureLaws {
		pts := claim.Series{Name: law.Name(), Points: true}
		for j := 1; j < 12; j += 2 {
			th := math.Pi * float64(j) / 12
			x, y := make([]float64, d), make([]float64, d)
			x[0], y[0], y[1] = 1, math.Cos(th), math.Sin(th)
			for ai, a := range []float64{0, 0.5} {
				sim, exact, err := invariance(Invariance{Law: law, A: a, X: x, Y: y, N: n, Seed: seed + uint64(100*li+10*j+ai)})
				if err != nil {
					return f, err
				}
				est := sim.est
				unit := law.SecondMoment(d) / d
				pts.X, pts.Y = append(pts.X, th), append(pts.Y, est.Mean/unit)
				pts.SE, pts.Expect = append(pts.SE, est.SE/unit), append(pts.Expect, exact/unit)
			}
		}
		f.Series = append(f.Series, pts)
	}
	return f, nil
}

// depthFigure is the KER-5 figure: l theta_l / C against depth for the deep map from two starting
// angles at a = 0 and 0.2, computed by the same iteration as KER5Asymptote.
func depthFigure() (claim.Figure, error) {
	f := claim.Figure{File: "kernel-depth.png", Title: "KER-5: the deep map approaches l theta_l = C",
		Caption: "l theta_l / C against depth l for the deep normalised map, C = 3 pi (1 + a^2)/(1 - a)^2; the ratio tends to 1 from every start.",
		XLabel:  "depth l", YLabel: "l theta_l / C", LogX: true}
	for _, a := range []float64{0, 0.2} {
		cc, err := kernel.DepthConstant(a)
		if err != nil {
			return f, err
		}
		for _, t0 := range []float64{math.Pi / 4, 3 * math.Pi / 4} {
			_, theta, err := DeepMap{Theta0: t0, A: a}.depths()
			if err != nil {
				return f, err
			}
			s := claim.Series{Name: fmt.Sprintf("a = %g, theta0 = %.2f", a, t0)}
			for l := 1; l < len(theta); l = int(math.Ceil(float64(l) * 1.1)) {
				s.X, s.Y = append(s.X, float64(l)), append(s.Y, float64(l)*theta[l]/cc)
			}
			f.Series = append(f.Series, s)
		}
	}
	return f, nil
}

// cltFigureLaws are the i.i.d. laws of the KER-4 figure.
var cltFigureLaws = []weights.Law{weights.Uniform{Scale: 1}, weights.Laplace{Scale: 1}, weights.CentredExp{Scale: 1}}

// cltFigure is the KER-4 figure: the normalised gap to the Gaussian kernel against d, exact for
// Rademacher weights (even d) and estimated (cltGap, n samples) for three i.i.d. laws, with the
// reference slopes d^-1/2 and d^-1.
func cltFigure(seed uint64, n int) (claim.Figure, error) {
	f := claim.Figure{File: "kernel-clt.png", Title: "KER-4: i.i.d. weights approach the Gaussian kernel",
		Caption: fmt.Sprintf("|gap| = |k - k_gauss| / (s2|x||y|) on the CLT inputs against d: exact Rademacher enumeration (even d; odd d has no ties and a near-zero gap), Monte-Carlo estimates (%d samples, +-2 SE; points within 2 SE of zero are below the estimate's resolution and left out), and reference slopes.", n),
		XLabel:  "d", YLabel: "|gap|", LogX: true, LogY: true}
	exact := claim.Series{Name: "Rademacher (exact, even d)"}
	for d := 2; d <= 18; d += 2 {
		g, err := rademacherGap(0, d, simkernel.CLTInputs)
		if err != nil {
			return f, err
		}
		exact.X, exact.Y = append(exact.X, float64(d)), append(exact.Y, math.Abs(g))
	}
	f.Series = append(f.Series, exact)
	for i, law := range cltFigureLaws {
		pts := claim.Series{Name: law.Name() + " (Monte Carlo)", Points: true}
		for _, d := range []int{2, 4, 8, 16, 32} {
			g, err := cltGap(CLT{Law: law, N: n}, d, seed+uint64(10*i+d))
			if err != nil {
				return f, err
			}
			if math.Abs(g.Mean) > 2*g.SE {
				pts.X, pts.Y, pts.SE = append(pts.X, float64(d)), append(pts.Y, math.Abs(g.Mean)), append(pts.SE, g.SE)
			}
		}
		f.Series = append(f.Series, pts)
	}
	g4 := exact.Y[1] // the exact gap at d = 4 anchors the reference slopes
	for _, p := range []float64{0.5, 1} {
		s := claim.Series{Name: fmt.Sprintf("slope d^-%g", p)}
		for _, d := range []float64{4, 32} {
			s.X, s.Y = append(s.X, d), append(s.Y, g4*math.Pow(d/4, -p))
		}
		f.Series = append(f.Series, s)
	}
	return f, nil
}
