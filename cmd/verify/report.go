package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	simkernel "github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/weights"
	"github.com/dlt5/verify/props"
	"github.com/dlt5/verify/theory/kernel"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// figure is one PNG of the report.
type figure struct {
	file, caption string
	make          func(seed uint64) (*plot.Plot, error)
}

var figures = []figure{
	{"kernel.png", "KER-1/2: the normalised kernel k/(s2|x||y|) against the angle: closed form (lines) and Monte-Carlo estimates from four rotationally invariant laws (points, d = 10, 2e5 weight vectors each).", kernelFigure},
	{"depth.png", "KER-5: l theta_l / C against depth l for the deep map, C = 3 pi (1 + a^2)/(1 - a)^2; the ratio tends to 1 for every start.", depthFigure},
	{"clt.png", "KER-4: the normalised gap to the Gaussian kernel against d on the catalogue's inputs: exact Rademacher enumeration (even d; odd d has no ties and a near-zero gap) and Monte-Carlo i.i.d. laws (1e6 weight vectors; points within 5 standard errors of zero are below the estimate's resolution and left out).", cltFigure},
	{"neumann.png", "RBP-3: the Neumann-RBP gradient error against K on the canonical problem (closed form), with the slope rho(J)^K.", neumannFigure},
}

// writeReport writes dir/README.md (the table and the figures) and the PNGs.
func writeReport(dir string, rows []Row, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var md strings.Builder
	fmt.Fprintf(&md, "# Verification report\n\nSeed %d. Every claim of the catalogue, at the papers' settings, and its negative control (which must be REJECTED).\n\n", seed)
	md.WriteString("| ID | case | measured | bound | verdict |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&md, "| %s | %s | %.4g | %.4g | %s |\n", r.ID, strings.ReplaceAll(r.Case, "|", "/"), float64(r.Measured), float64(r.Bound), r.Verdict)
	}
	md.WriteString("\n## Figures\n\n")
	for _, f := range figures {
		p, err := f.make(seed)
		if err != nil {
			return fmt.Errorf("%s: %w", f.file, err)
		}
		if err := p.Save(16*vg.Centimeter, 11*vg.Centimeter, filepath.Join(dir, f.file)); err != nil {
			return err
		}
		fmt.Fprintf(&md, "![%s](%s)\n\n%s\n\n", f.file, f.file, f.caption)
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(md.String()), 0o644)
}

var palette = []color.Color{
	color.RGBA{0, 90, 181, 255}, color.RGBA{220, 50, 32, 255}, color.RGBA{0, 150, 70, 255}, color.RGBA{150, 60, 170, 255},
}

func line(p *plot.Plot, pts plotter.XYs, i int, name string) error {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	l.Color = palette[i%len(palette)]
	l.Width = vg.Points(1.5)
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

func points(p *plot.Plot, pts plotter.XYs, i int, name string) error {
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.Color = palette[i%len(palette)]
	s.Shape = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}}[i%4]
	s.Radius = vg.Points(3)
	p.Add(s)
	p.Legend.Add(name, s)
	return nil
}

func kernelFigure(seed uint64) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = "theta (radians)", "k / (s2 |x||y|)"
	for i, a := range []float64{0, 0.5} {
		var pts plotter.XYs
		for j := 0; j <= 100; j++ {
			th := math.Pi * float64(j) / 100
			k, _ := kernel.Kappa(th, a)
			pts = append(pts, plotter.XY{X: th, Y: k})
		}
		if err := line(p, pts, i, fmt.Sprintf("kappa_a, a = %g", a)); err != nil {
			return nil, err
		}
	}
	laws := []weights.Law{weights.Gaussian{Scale: 1}, weights.StudentT{Nu: 5, Scale: 1}, weights.Sphere{Radius: math.Sqrt(10)}, weights.GaussMixture{Scale: 1, Low: 0.2, P: 0.5}}
	const d = 10
	for li, law := range laws {
		var pts plotter.XYs
		for j := 1; j < 12; j += 2 {
			th := math.Pi * float64(j) / 12
			x, y := make([]float64, d), make([]float64, d)
			x[0], y[0], y[1] = 1, math.Cos(th), math.Sin(th)
			for _, a := range []float64{0, 0.5} {
				est, err := simkernel.KernelMC(law, a, x, y, 200000, seed+uint64(10*li+j))
				if err != nil {
					return nil, err
				}
				pts = append(pts, plotter.XY{X: th, Y: est.Mean / (law.SecondMoment(d) / d)})
			}
		}
		if err := points(p, pts, li, law.Name()); err != nil {
			return nil, err
		}
	}
	p.Legend.Top = true
	return p, nil
}

func depthFigure(uint64) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = "depth l", "l theta_l / C"
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	i := 0
	for _, a := range []float64{0, 0.2} {
		c, _ := kernel.DepthConstant(a)
		for _, t0 := range []float64{math.Pi / 4, 3 * math.Pi / 4} {
			var pts plotter.XYs
			th := t0
			for l := 1; l <= 100000; l++ {
				th, _ = kernel.DepthStep(th, a)
				if l%int(math.Max(1, math.Pow(10, math.Floor(math.Log10(float64(l)))-1))) == 0 {
					pts = append(pts, plotter.XY{X: float64(l), Y: float64(l) * th / c})
				}
			}
			if err := line(p, pts, i, fmt.Sprintf("a = %g, theta0 = %.2f", a, t0)); err != nil {
				return nil, err
			}
			i++
		}
	}
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.YOffs = -vg.Centimeter
	return p, nil
}

func cltFigure(seed uint64) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = "d", "|gap|"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(powersOfTwo(2, 32)), plot.LogTicks{Prec: 1}
	var exact plotter.XYs
	for d := 2; d <= 18; d += 2 {
		g, err := props.RademacherGap(0, d, props.CLTInputs)
		if err != nil {
			return nil, err
		}
		exact = append(exact, plotter.XY{X: float64(d), Y: math.Abs(g)})
	}
	if err := line(p, exact, 0, "Rademacher (exact, even d)"); err != nil {
		return nil, err
	}
	for i, law := range []weights.Law{weights.Uniform{Scale: 1}, weights.Laplace{Scale: 1}, weights.CentredExp{Scale: 1}} {
		var pts plotter.XYs
		for _, d := range []int{2, 4, 8, 16, 32} {
			x, y := props.CLTInputs(d)
			est, err := simkernel.KernelMC(law, 0, x, y, 1000000, seed+uint64(d))
			if err != nil {
				return nil, err
			}
			kg, _ := kernel.Kernel(x, y, float64(d), 0)
			if gap := math.Abs(est.Mean - kg); gap > 5*est.SE {
				pts = append(pts, plotter.XY{X: float64(d), Y: gap / (floats.Norm(x, 2) * floats.Norm(y, 2))})
			}
		}
		if err := points(p, pts, i+1, law.Name()+" (Monte Carlo)"); err != nil {
			return nil, err
		}
	}
	p.Legend.Top = true
	return p, nil
}

// powersOfTwo returns labelled ticks at lo, 2 lo, ..., hi.
func powersOfTwo(lo, hi int) []plot.Tick {
	var ts []plot.Tick
	for v := lo; v <= hi; v *= 2 {
		ts = append(ts, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
	}
	return ts
}

func neumannFigure(uint64) (*plot.Plot, error) {
	entries, err := props.RBPGolden()
	if err != nil {
		return nil, err
	}
	var errs plotter.XYs
	var rho float64
	for _, e := range entries {
		switch e.Name {
		case "neumann_err":
			errs = append(errs, plotter.XY{X: e.Args["K"], Y: e.Value})
		case "spectral_radius_J":
			rho = e.Value
		}
	}
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = "K (vector-Jacobian products)", "|Neumann-RBP(K) - implicit|_F"
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: 1}
	p.Legend.Top = true
	if err := points(p, errs, 0, "canonical problem"); err != nil {
		return nil, err
	}
	var ref plotter.XYs
	for k := 0.0; k <= 15; k++ {
		ref = append(ref, plotter.XY{X: k, Y: errs[0].Y * math.Pow(rho, k)})
	}
	if err := line(p, ref, 1, fmt.Sprintf("rho(J)^K, rho = %.3f", rho)); err != nil {
		return nil, err
	}
	return p, nil
}
