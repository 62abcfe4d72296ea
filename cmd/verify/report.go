package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/dlt5/verify/props/claim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// writeReport writes dir/README.md (the table, the findings and the figures) and the PNGs. Every
// figure and finding comes from the claims' own runs (claim.Outcome): the report computes nothing.
func writeReport(dir string, rows []Row, runs []ran, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var md strings.Builder
	fmt.Fprintf(&md, "# Verification report\n\nSeed %d. Every claim of CLAIMS.md, at the papers' settings, and its negative control (which must be REJECTED). DETECTS is the smallest relative error a Monte-Carlo check can see at its sample size.\n\n", seed)
	md.WriteString("| ID | case | measured | bound | detects | verdict |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&md, "| %s | %s | %s | %s | %s | %s |\n", r.ID, strings.ReplaceAll(r.Case, "|", "/"), cell(r.Measured), cell(r.Bound), detects(r.Detects), r.Verdict)
	}
	writeFindings(&md, runs, seed)
	md.WriteString("\n## Figures\n\n")
	for _, run := range runs {
		for _, f := range run.outcome.Figures {
			p, err := drawFigure(f)
			if err != nil {
				return fmt.Errorf("%s: %w", f.File, err)
			}
			if err := p.Save(16*vg.Centimeter, 11*vg.Centimeter, filepath.Join(dir, f.File)); err != nil {
				return err
			}
			fmt.Fprintf(&md, "![%s](%s)\n\n%s\n\n", f.Title, f.File, f.Caption)
		}
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(md.String()), 0o644)
}

// writeFindings writes the Findings section: for each registered finding of the claims that ran,
// what it says (from the registry) and what this run measured (the claim's evidence).
func writeFindings(md *strings.Builder, runs []ran, seed uint64) {
	md.WriteString("\n## Findings\n\nWhere a paper's statement does not hold as written. Each is reproducible with `go run ./cmd/verify -claim ID -seed SEED`.\n\n")
	listed := false
	for _, run := range runs {
		for _, f := range run.claim.Findings {
			listed = true
			fmt.Fprintf(md, "- **%s, %s.** %s\n", run.claim.ID, f.Name, f.Says)
			found := false
			for _, e := range run.outcome.Evidence {
				if e.Finding != f.Name {
					continue
				}
				found = true
				state := "confirmed"
				if !e.Confirmed {
					state = "NOT CONFIRMED by this run (look again)"
				}
				fmt.Fprintf(md, "  Measured (seed %d), %s: %s\n", seed, state, e.Detail)
			}
			if !found {
				md.WriteString("  (this run measured no evidence for it)\n")
			}
		}
	}
	if !listed {
		md.WriteString("None among the claims that ran.\n")
	}
}

var palette = []color.Color{
	color.RGBA{0, 90, 181, 255}, color.RGBA{220, 50, 32, 255}, color.RGBA{0, 150, 70, 255}, color.RGBA{150, 60, 170, 255},
	color.RGBA{230, 150, 0, 255}, color.RGBA{90, 90, 90, 255},
}

// drawFigure draws a figure's data: lines for closed forms and reference slopes, points with
// +-2 SE error bars for simulations, log axes where asked, and room above the data for the
// legend so that it covers none of it.
func drawFigure(f claim.Figure) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text, p.Y.Label.Text = f.XLabel, f.YLabel
	if f.LogX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	if f.LogY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: 1}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range f.Series {
		xys := make(plotter.XYs, len(s.X))
		for k := range s.X {
			xys[k] = plotter.XY{X: s.X[k], Y: s.Y[k]}
			lo, hi = math.Min(lo, s.Y[k]), math.Max(hi, s.Y[k])
		}
		c := palette[i%len(palette)]
		if !s.Points {
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = c, vg.Points(1.5)
			p.Add(l)
			p.Legend.Add(s.Name, l)
			continue
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		sc.Color, sc.Radius = c, vg.Points(3)
		sc.Shape = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}}[i%4]
		p.Add(sc)
		p.Legend.Add(s.Name, sc)
		if s.SE != nil {
			bars, err := errorBars(xys, s.SE, f.LogY)
			if err != nil {
				return nil, err
			}
			bars.Color = c
			p.Add(bars)
		}
	}
	// Room for the legend: one row per series above the data.
	rows := float64(len(f.Series))
	p.Legend.Top = true
	if f.LogY {
		p.Y.Min, p.Y.Max = lo/2, hi*math.Pow(10, 0.3*rows)
	} else {
		span := hi - lo
		if span == 0 {
			span = math.Max(math.Abs(hi), 1)
		}
		p.Y.Min, p.Y.Max = lo-0.05*span, hi+span*0.12*rows
	}
	return p, nil
}

// errorBars draws +-2 SE around each point; on a log axis the lower end is clipped at a tenth of
// the point (a bar that crosses zero cannot be drawn there).
func errorBars(xys plotter.XYs, se []float64, logY bool) (*plotter.YErrorBars, error) {
	errs := make(plotter.YErrors, len(xys))
	for k := range xys {
		low, high := 2*se[k], 2*se[k]
		if logY && xys[k].Y-low <= 0 {
			low = 0.9 * xys[k].Y
		}
		errs[k] = struct{ Low, High float64 }{low, high}
	}
	return plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{xys, errs})
}
