package props

// KER-3: symmetry, rotation invariance, homogeneity and positive semi-definiteness of the kernel.

import (
	"fmt"
	"math"

	"github.com/dlt5/verify/props/claim"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Symmetries is one KER-3 case: points in R^d, an orthogonal Q, homogeneity scalars B, C >= 0,
// and a depth for the composed (deep) Gram matrix.
type Symmetries struct {
	Points          [][]float64
	Q               *mat.Dense
	B, C            float64
	A, SecondMoment float64
	Depth           int
	Formula         KernelFormula
}

// symTol is the relative tolerance of the KER-3 identities, in units of s2 |x||y|: each side is a
// few dozen roundings of O(1) quantities.
const symTol = 1e-12

// KER3 checks symmetry, rotation invariance k(Qx, Qy) = k(x, y), positive homogeneity
// k(Bx, Cy) = BC k(x, y), and positive semi-definiteness (smallest eigenvalue >= -1e-12 trace) of
// the Gram matrix of the points, also after Depth layers of the deep map.
func KER3(c Symmetries) []claim.Result {
	return []claim.Result{KER3Symmetry(c), KER3Rotation(c), KER3Homogeneity(c), KER3PSD(c), KER3DeepPSD(c)}
}

// validate checks the case's shape: two or more points of one length d >= 1, a d x d Q.
func (c Symmetries) validate() error {
	m := len(c.Points)
	if m < 2 || c.Q == nil {
		return fmt.Errorf("need at least two points and an orthogonal Q, got %d points", m)
	}
	d := len(c.Points[0])
	for i, p := range c.Points {
		if len(p) != d || d == 0 {
			return fmt.Errorf("point %d has length %d, want %d > 0", i, len(p), d)
		}
	}
	if r, cc := c.Q.Dims(); r != d || cc != d {
		return fmt.Errorf("the rotation Q is %dx%d, want %dx%d", r, cc, d, d)
	}
	return nil
}

// unit is the natural scale s2 |x||y| of k(x, y): 0 for a zero point, where k is exactly 0.
func (c Symmetries) unit(x, y []float64) float64 {
	return c.SecondMoment / float64(len(x)) * floats.Norm(x, 2) * floats.Norm(y, 2)
}

// worstPair returns the largest |k(p_i, p_j) - other(i, j)| / (s2 |p_i||p_j|) over all pairs.
func (c Symmetries) worstPair(other func(k KernelFormula, i, j int) (float64, error)) (float64, error) {
	if err := c.validate(); err != nil {
		return 0, err
	}
	k := orKernel(c.Formula)
	worst := 0.0
	for i := range c.Points {
		for j := i; j < len(c.Points); j++ {
			kij, err1 := k(c.Points[i], c.Points[j], c.SecondMoment, c.A)
			o, err2 := other(k, i, j)
			if err := claim.FirstErr(err1, err2); err != nil {
				return 0, err
			}
			worst = math.Max(worst, zRatio(kij-o, c.unit(c.Points[i], c.Points[j])))
		}
	}
	return worst, nil
}

// zRatio is |diff|/scale, with 0/0 = 0 (an exact zero) and x/0 = +Inf.
func zRatio(diff, scale float64) float64 {
	if diff == 0 {
		return 0
	}
	return math.Abs(diff) / scale
}

// KER3Symmetry checks k(x, y) = k(y, x) over every pair of points (relative to s2 |x||y|).
func KER3Symmetry(c Symmetries) claim.Result {
	what := "KER-3 symmetry k(x,y) = k(y,x)"
	e, err := c.worstPair(func(k KernelFormula, i, j int) (float64, error) {
		return k(c.Points[j], c.Points[i], c.SecondMoment, c.A)
	})
	if err != nil {
		return claim.Failed(what, err)
	}
	return claim.Check(what, e, symTol, fmt.Sprintf("largest |k(x,y) - k(y,x)| / (s2|x||y|) over %d points", len(c.Points)))
}

// KER3Rotation checks k(Qx, Qy) = k(x, y) over every pair of points.
func KER3Rotation(c Symmetries) claim.Result {
	what := "KER-3 rotation k(Qx,Qy) = k(x,y)"
	if err := c.validate(); err != nil {
		return claim.Failed(what, err)
	}
	d := len(c.Points[0])
	rot := make([][]float64, len(c.Points))
	for i, p := range c.Points {
		v := mat.NewVecDense(d, nil)
		v.MulVec(c.Q, mat.NewVecDense(d, p))
		rot[i] = v.RawVector().Data
	}
	e, err := c.worstPair(func(k KernelFormula, i, j int) (float64, error) {
		return k(rot[i], rot[j], c.SecondMoment, c.A)
	})
	if err != nil {
		return claim.Failed(what, err)
	}
	return claim.Check(what, e, symTol, fmt.Sprintf("largest |k(Qx,Qy) - k(x,y)| / (s2|x||y|) over %d points in R^%d", len(c.Points), d))
}

// KER3Homogeneity checks k(Bx, Cy) = BC k(x, y) for the first two points.
func KER3Homogeneity(c Symmetries) claim.Result {
	what := fmt.Sprintf("KER-3 homogeneity k(%.3gx, %.3gy)", c.B, c.C)
	if err := c.validate(); err != nil {
		return claim.Failed(what, err)
	}
	k, x, y := orKernel(c.Formula), c.Points[0], c.Points[1]
	bx, cy := make([]float64, len(x)), make([]float64, len(y))
	floats.ScaleTo(bx, c.B, x)
	floats.ScaleTo(cy, c.C, y)
	kxy, err1 := k(x, y, c.SecondMoment, c.A)
	kb, err2 := k(bx, cy, c.SecondMoment, c.A)
	if err := claim.FirstErr(err1, err2); err != nil {
		return claim.Failed(what, err)
	}
	return claim.RelCheck(what, kb, c.B*c.C*kxy, math.Max(c.B*c.C, 1)*c.unit(x, y), symTol) // a zero scale: exact
}

// gram returns the Gram matrix of the points under the case's formula.
func (c Symmetries) gram() (*mat.SymDense, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	k, m := orKernel(c.Formula), len(c.Points)
	g := mat.NewSymDense(m, nil)
	for i := range m {
		for j := i; j < m; j++ {
			v, err := k(c.Points[i], c.Points[j], c.SecondMoment, c.A)
			if err != nil {
				return nil, err
			}
			g.SetSym(i, j, v)
		}
	}
	return g, nil
}

// KER3PSD checks that the Gram matrix of the points is positive semi-definite.
func KER3PSD(c Symmetries) claim.Result {
	g, err := c.gram()
	if err != nil {
		return claim.Failed("KER-3 Gram matrix PSD", err)
	}
	return psdCheck("KER-3 Gram matrix PSD", g)
}

// KER3DeepPSD checks that the Gram matrix stays positive semi-definite through Depth layers of
// the deep map.
func KER3DeepPSD(c Symmetries) claim.Result {
	what := fmt.Sprintf("KER-3 Gram PSD after %d layers", c.Depth)
	g, err := c.gram()
	if err != nil {
		return claim.Failed(what, err)
	}
	deep, err := deepGram(orKernel(c.Formula), g, c.SecondMoment, c.A, c.Depth)
	if err != nil {
		return claim.Failed(what, err)
	}
	return psdCheck(what, deep)
}

// psdCheck measures -lambda_min / trace and holds it to 1e-12. A matrix with a NaN or infinite
// entry fails. The matrix is divided by its largest entry first, which leaves the measure
// unchanged: gonum v0.17's EigenSym panics ("lapack: insufficient length of a", in Dsterf's
// scaling) on valid matrices whose entries are all near 1e-122.
func psdCheck(what string, g *mat.SymDense) claim.Result {
	n := g.SymmetricDim()
	var largest float64
	for i := range n {
		for j := i; j < n; j++ {
			v := g.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return claim.Result{Case: what, Measured: math.Inf(1), Bound: 1e-12, Pass: false,
					Detail: fmt.Sprintf("entry (%d, %d) is %v", i, j, v)}
			}
			largest = math.Max(largest, math.Abs(v))
		}
	}
	if largest == 0 {
		return claim.Result{Case: what, Measured: 0, Bound: 1e-12, Pass: true, Detail: "the zero matrix"}
	}
	// A PSD matrix has |g_ij| <= sqrt(g_ii g_jj): a 2x2 minor that breaks this settles it.
	for i := range n {
		for j := i + 1; j < n; j++ {
			gii, gjj, gij := g.At(i, i)/largest, g.At(j, j)/largest, g.At(i, j)/largest
			if gii < 0 || gjj < 0 || gij*gij > gii*gjj*(1+1e-12)+1e-24 {
				return claim.Result{Case: what, Measured: math.Inf(1), Bound: 1e-12, Pass: false,
					Detail: fmt.Sprintf("2x2 minor (%d, %d) is negative: g_ii %.4g, g_jj %.4g, g_ij %.4g", i, j, g.At(i, i), g.At(j, j), g.At(i, j))}
			}
		}
	}
	// Entries below 1e-100 of the largest move no eigenvalue by 1e-12 of the trace (which is at
	// least the largest entry for a matrix that passed the minors); flushing them avoids gonum's
	// bug on tiny sub-blocks.
	scaled := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			if v := g.At(i, j) / largest; math.Abs(v) > 1e-100 {
				scaled.SetSym(i, j, v)
			}
		}
	}
	g = scaled
	var eig mat.EigenSym
	if !eig.Factorize(g, false) {
		return claim.Failed(what, fmt.Errorf("eigen-decomposition did not converge"))
	}
	vals := eig.Values(nil)
	tr := mat.Trace(g)
	neg := math.Max(-floats.Min(vals)/tr, 0) // 0 when every eigenvalue is >= 0
	if tr <= 0 {
		neg = math.Inf(1)
	}
	return claim.Result{Case: what, Measured: neg, Bound: 1e-12, Pass: neg <= 1e-12,
		Detail: fmt.Sprintf("smallest eigenvalue %.4g, trace %.4g", floats.Min(vals), tr)}
}

// deepGram composes the kernel depth times: the next layer's Gram entry depends only on the
// current entries K_ii, K_jj, K_ij, so it is the kernel of the 2-D points (sqrt K_ii, 0) and
// sqrt K_jj (cos phi, sin phi) with E|w|^2 = 2 m2 (so that s2 = m2 per unit of the layer below).
func deepGram(k KernelFormula, g *mat.SymDense, m2, a float64, depth int) (*mat.SymDense, error) {
	m := g.SymmetricDim()
	cur := mat.NewSymDense(m, nil)
	cur.CopySym(g)
	for range depth {
		next := mat.NewSymDense(m, nil)
		for i := range m {
			for j := i; j < m; j++ {
				ri, rj := math.Sqrt(math.Max(cur.At(i, i), 0)), math.Sqrt(math.Max(cur.At(j, j), 0))
				cos := 1.0
				if ri > 0 && rj > 0 {
					cos = math.Max(-1, math.Min(1, cur.At(i, j)/(ri*rj)))
				}
				sin := math.Sqrt(1 - cos*cos)
				v, err := k([]float64{ri, 0}, []float64{rj * cos, rj * sin}, 2*m2, a)
				if err != nil {
					return nil, err
				}
				next.SetSym(i, j, v)
			}
		}
		cur = next
	}
	return cur, nil
}
