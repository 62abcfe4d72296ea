package conform

import (
	"encoding/json"
	"fmt"
	"math"

	nrbp "github.com/dlt5/verify/numeric/rbp"
	trbp "github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// rbpProblem is the suite's tanh problem: F(h) = tanh(W h + U x + c), loss L = 1/2 |h* - y|^2,
// parameters W (n x n) and c (n); U is n x m, x has m entries.
type rbpProblem struct {
	W [][]float64 `json:"W"`
	U [][]float64 `json:"U"`
	X []float64   `json:"x"`
	C []float64   `json:"c"`
	Y []float64   `json:"y"`
}

// inputs returns the problem's request inputs (y only when the op has a loss).
func (p rbpProblem) inputs(withY bool) map[string]any {
	in := map[string]any{"W": p.W, "U": p.U, "x": p.X, "c": p.C}
	if withY {
		in["y"] = p.Y
	}
	return in
}

// qMax is the largest |W|_2 drawn: the contraction the fixed point needs is |W|_2 < 1, and the
// tolerances grow like (1 - |W|_2)^-2.
const qMax = 0.95

// drawProblem draws n in [1, 6], m in [1, 3], W rescaled to |W|_2 = q (q in [0, qmax] with the
// edges 0 and qmax), and U, x, c, y with entries in [-2, 2].
func drawProblem(t *rapid.T, qmax float64) rbpProblem {
	n := rapid.IntRange(1, 6).Draw(t, "n")
	m := rapid.IntRange(1, 3).Draw(t, "m")
	q := edged(t, "|W|_2", rapid.Float64Range(0, qmax), 0, qmax, 0.5)
	entries := func(label string, k int, lim float64) []float64 {
		return rapid.SliceOfN(rapid.Float64Range(-lim, lim), k, k).Draw(t, label)
	}
	raw := mat.NewDense(n, n, entries("W entries", n*n, 1))
	if norm, err := trbp.SpectralNorm(raw); err == nil && norm > 0 {
		raw.Scale(q/norm, raw)
	} else {
		raw.Zero()
	}
	rows := func(d *mat.Dense) [][]float64 {
		r, _ := d.Dims()
		out := make([][]float64, r)
		for i := range out {
			out[i] = mat.Row(nil, i, d)
		}
		return out
	}
	return rbpProblem{W: rows(raw), U: rows(mat.NewDense(n, m, entries("U entries", n*m, 2))),
		X: entries("x", m, 2), C: entries("c", n, 2), Y: entries("y", n, 2)}
}

// rbpRef is the runner's side of a problem, from theory/rbp: the fixed point, the Jacobian and the
// sizes the tolerances scale with.
type rbpRef struct {
	n, m      int
	w         *mat.Dense
	bias      []float64 // c + U x
	hstar     []float64
	s         []float64 // 1 - tanh(W h* + U x + c)^2
	b         []float64 // dL/dh* = h* - y
	j         *mat.Dense
	q         float64 // |W|_2
	scale     float64 // S = 1 + |W|_F |h*| + |U|_F |x| + |c|: the size of the pre-activation's terms
	hn, bn    float64 // |h*|_2, |b|_2
	drive     []float64
	fixedTolH float64 // the fixed point's error as the gradient tolerances carry it (generous)
	// fixedCheck is rbp.fixed_point/theory's tolerance (fixedPointTolerance).
	fixedCheck float64
}

func (p rbpProblem) ref() rbpRef {
	n, m := len(p.C), len(p.X)
	var r rbpRef
	r.n, r.m = n, m
	r.w = mat.NewDense(n, n, nil)
	for i, row := range p.W {
		r.w.SetRow(i, row)
	}
	u := mat.NewDense(n, m, nil)
	for i, row := range p.U {
		u.SetRow(i, row)
	}
	var d mat.VecDense
	d.MulVec(u, mat.NewVecDense(m, append([]float64(nil), p.X...)))
	r.drive = d.RawVector().Data
	r.bias = make([]float64, n)
	floats.AddTo(r.bias, p.C, r.drive)
	var err error
	if r.q, err = trbp.SpectralNorm(r.w); err != nil {
		panic("conform: |W|_2 of a drawn problem: " + err.Error())
	}
	if r.hstar, err = trbp.TanhFixedPoint(r.w, r.bias); err != nil {
		panic("conform: h* of a drawn problem: " + err.Error())
	}
	if r.j, _, err = trbp.TanhJacobians(r.w, r.bias, r.hstar); err != nil {
		panic("conform: J of a drawn problem: " + err.Error())
	}
	var pre mat.VecDense
	pre.MulVec(r.w, mat.NewVecDense(n, r.hstar))
	r.s = make([]float64, n)
	r.b = make([]float64, n)
	for i := range r.s {
		y := math.Tanh(pre.AtVec(i) + r.bias[i])
		r.s[i] = 1 - y*y
		r.b[i] = r.hstar[i] - p.Y[i]
	}
	r.hn, r.bn = floats.Norm(r.hstar, 2), floats.Norm(r.b, 2)
	r.scale = 1 + mat.Norm(r.w, 2)*r.hn + mat.Norm(u, 2)*floats.Norm(p.X, 2) + floats.Norm(p.C, 2) // mat.Norm(., 2) is Frobenius
	r.fixedTolH = 64 * eps * float64(n+m) * r.scale / (1 - r.q)
	r.fixedCheck = fixedPointTolerance(n, m, r.scale, r.q)
	return r
}

// fixedPointTolerance is the tolerance of h* in the 2-norm: 8 eps (n + m + 1) S / (1 - |W|_2).
// Derived: a fixed point polished to its rounding has |h - F(h)| <= (n + m + 1) (eps/2) S + eps |h|
// (the pre-activation's dot products of n and m terms and c, then tanh), which |(I - J)^-1| <=
// 1/(1 - |W|_2) turns into an error in h; two such (the program's and the reference's) give
// 2 (n + m + 1) eps S / (1 - |W|_2) (|h| <= S); the factor 4 over that is the margin. (It was
// 64 (n + m): a fixed point iterated only until its step fell below 1e-12, 86000 ulps off at
// |W|_2 = 0.95, passed every rbp property; the numpy program's worst error was 0.0019 of that
// bound over five seeds, 0.03 of this one.)
func fixedPointTolerance(n, m int, scale, q float64) float64 {
	return 8 * eps * float64(n+m+1) * scale / (1 - q)
}

// tolGrad is the tolerance (in the 2-norm of the error) of a gradient made of k vector-Jacobian
// products at the fixed point, from an adjoint-like vector of size |b| + extra:
//
//	64 eps (n + m + k + 2) (|b| + S + extra) (|h*| + 1) / (1 - |W|_2)^2.
//
// n + m + k + 2 counts the roundings along the way (dot products of n and m terms, k products),
// S the size of the pre-activation (the fixed point's own rounding), and the two factors
// 1/(1 - |W|_2) the amplification of the fixed point's error (|(I - J)^-1| <= 1/(1 - |W|_2)) and of
// the series' terms.
func (r rbpRef) tolGrad(k int, extra float64) float64 {
	return 64 * eps * float64(r.n+r.m+k+2) * (r.bn + r.scale + extra) * (r.hn + 1) / ((1 - r.q) * (1 - r.q))
}

// gradOf returns (dF/dW)^T z = (s o z) h*^T (row-major) and (dF/dc)^T z = s o z.
func (r rbpRef) gradOf(z []float64) (gw, gc []float64) {
	gw, gc = make([]float64, r.n*r.n), make([]float64, r.n)
	for i := range r.n {
		gc[i] = r.s[i] * z[i]
		for k := range r.n {
			gw[i*r.n+k] = gc[i] * r.hstar[k]
		}
	}
	return gw, gc
}

// neumannRef is g_K = sum_{k<=K} (J^T)^k b (theory/rbp.NeumannPartial); K = -1 gives 0.
func (r rbpRef) neumannRef(k int) []float64 {
	if k < 0 {
		return make([]float64, r.n)
	}
	g, err := trbp.NeumannPartial(r.j, r.b, k)
	if err != nil {
		panic("conform: NeumannPartial on a drawn problem: " + err.Error())
	}
	return g
}

// grads reads grad_W and grad_c of a reply.
func grads(res result, n int) (gw, gc []float64) {
	return res.matrix("grad_W", n), res.vector("grad_c", n)
}

// compareGrad records grad_W and grad_c against the gradient of the adjoint z.
func (v *verdict) compareGrad(r rbpRef, res result, z []float64, tol float64) {
	gw, gc := grads(res, r.n)
	ww, wc := r.gradOf(z)
	v.closeVec("grad_W", gw, ww, tol)
	v.closeVec("grad_c", gc, wc, tol)
}

// kCase is a problem and a count (K, T or iterations).
type kCase struct {
	Problem rbpProblem `json:"problem"`
	K       int        `json:"K"`
}

func drawK(lo, hi int) func(*rapid.T) kCase {
	return func(t *rapid.T) kCase {
		k := rapid.OneOf(rapid.IntRange(lo, hi), rapid.IntRange(lo, hi), rapid.SampledFrom([]int{lo, lo + 1, 2 * hi})).Draw(t, "K")
		return kCase{Problem: drawProblem(t, qMax), K: k}
	}
}

func (c kCase) inputs(name string) map[string]any {
	in := c.Problem.inputs(true)
	in[name] = c.K
	return in
}

// bpttCase is an rbp.bptt request: BPTT through T applications of F from h0.
type bpttCase struct {
	Problem rbpProblem `json:"problem"`
	H0      []float64  `json:"h0"`
	T       int        `json:"T"`
}

func (c bpttCase) inputs() map[string]any {
	in := c.Problem.inputs(true)
	in["h0"], in["T"] = c.H0, c.T
	return in
}

// cgCase is an rbp.cg request.
type cgCase struct {
	Problem    rbpProblem `json:"problem"`
	Iterations int        `json:"iterations"`
	Damping    float64    `json:"damping"`
	Tol        float64    `json:"tol"`
}

func (c cgCase) inputs() map[string]any {
	in := c.Problem.inputs(true)
	in["iterations"], in["damping"], in["tol"] = c.Iterations, c.Damping, c.Tol
	return in
}

func drawCG(t *rapid.T) cgCase {
	p := drawProblem(t, qMax)
	n := len(p.C)
	if rapid.IntRange(0, 9).Draw(t, "y = h*") == 9 {
		// b = h* - y = 0: the right-hand side vanishes and so does the relative residual's
		// denominator; z = 0 (a program that divides by |rhs| answers NaN)
		p.Y = p.ref().hstar
	}
	return cgCase{Problem: p,
		// CG needs at most n iterations in exact arithmetic; 4n + 10 leave room for rounding (a
		// program that stops at the cap before its tolerance would be judged by that tolerance).
		Iterations: rapid.IntRange(4*n+10, 80).Draw(t, "iterations"),
		Damping:    edged(t, "damping", rapid.Float64Range(0, 1), 0, 1e-12, 1e-6, 1e-3, 1),
		Tol:        rapid.SampledFrom([]float64{1e-14, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 0.5}).Draw(t, "tol"),
	}
}

// cgSystem returns the damped system A = (I - J)(I - J^T) + eta I and its right-hand side
// (I - J) b.
func (r rbpRef) cgSystem(eta float64) (*mat.SymDense, *mat.VecDense) {
	n := r.n
	imj := mat.NewDense(n, n, nil)
	for i := range n {
		for k := range n {
			imj.Set(i, k, -r.j.At(i, k))
		}
		imj.Set(i, i, 1+imj.At(i, i))
	}
	a := mat.NewSymDense(n, nil)
	var prod mat.Dense
	prod.Mul(imj, imj.T())
	for i := range n {
		for k := i; k < n; k++ {
			v := (prod.At(i, k) + prod.At(k, i)) / 2
			if i == k {
				v += eta
			}
			a.SetSym(i, k, v)
		}
	}
	var rhs mat.VecDense
	rhs.MulVec(imj, mat.NewVecDense(n, append([]float64(nil), r.b...)))
	return a, &rhs
}

// cgRef returns the damped adjoint z = ((I - J)(I - J^T) + eta I)^-1 (I - J) b by a dense
// Cholesky solve, with |rhs| and the extreme eigenvalues of the system.
func (r rbpRef) cgRef(eta float64) (z []float64, rhsNorm, lmin, lmax float64) {
	n := r.n
	a, rhs := r.cgSystem(eta)
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		panic("conform: the CG system of a drawn problem is not positive definite")
	}
	var zv mat.VecDense
	if err := ch.SolveVecTo(&zv, rhs); err != nil {
		panic("conform: the CG system of a drawn problem: " + err.Error())
	}
	var eig mat.EigenSym
	if !eig.Factorize(a, false) {
		panic("conform: the eigenvalues of the CG system did not converge")
	}
	ev := eig.Values(nil)
	return zv.RawVector().Data, mat.Norm(rhs, 2), ev[0], ev[n-1]
}

// cgResiduals returns the residuals |rhs - A z_j| of the exact CG iterates z_0 = 0, z_1, ... up
// to the Krylov space's dimension (krylovRef), and |rhs|.
func (r rbpRef) cgResiduals(eta float64) (res []float64, rhsNorm float64) {
	a, rhs := r.cgSystem(eta)
	rhsNorm = mat.Norm(rhs, 2)
	res = []float64{rhsNorm}
	var az, d mat.VecDense
	for j := 1; j <= r.n; j++ {
		z, dim := krylovDim(a, rhs, j)
		if dim < j {
			break
		}
		az.MulVec(a, mat.NewVecDense(r.n, z))
		d.SubVec(rhs, &az)
		res = append(res, mat.Norm(&d, 2))
	}
	return res, rhsNorm
}

// krylovRef returns the k-th conjugate-gradient iterate from z = 0 in exact arithmetic, computed
// without CG: the minimiser of the A-norm of the error over the Krylov space
// span{rhs, A rhs, ..., A^(k-1) rhs}, z_k = V (V^T A V)^-1 V^T rhs with V an orthonormal basis
// (Arnoldi, orthogonalised twice). When the space stops growing (it holds the solution) the basis
// ends there and z_k is the solution.
func krylovRef(a *mat.SymDense, rhs *mat.VecDense, k int) []float64 {
	z, _ := krylovDim(a, rhs, k)
	return z
}

// krylovIterate holds the program's CG-RBP answer to the k-th CG iterate z_k (krylovRef) of the
// damped system, to (|h*| + 1) (64 eps (n + k) cond |z_k| + 4 dh (1 + |z_k|)(1 + |W|_2)/lambda_min)
// + 4 |z_k| dh: rbp.cg/iterations and rbp.cg/tolerance.
func krylovIterate(s *session, c cgCase, r rbpRef, k int) verdict {
	_, _, lmin, lmax := r.cgRef(c.Damping)
	a, rhs := r.cgSystem(c.Damping)
	z := krylovRef(a, rhs, k)
	zn := floats.Norm(z, 2)
	dh := r.fixedTolH
	tolZ := 64*eps*float64(r.n+k)*(lmax/lmin)*zn + 4*dh*(1+zn)*(1+r.q)/lmin
	var v verdict
	v.compareGrad(r, s.answer("rbp.cg", c.inputs()), z, (r.hn+1)*tolZ+4*zn*dh+r.tolGrad(0, 0))
	return v
}

// krylovDim is krylovRef with the dimension of the Krylov space it used (< k when the space
// stopped growing).
func krylovDim(a *mat.SymDense, rhs *mat.VecDense, k int) ([]float64, int) {
	n := rhs.Len()
	norm0 := mat.Norm(rhs, 2)
	var basis []*mat.VecDense
	if norm0 > 0 {
		v := mat.NewVecDense(n, nil)
		v.ScaleVec(1/norm0, rhs)
		basis = append(basis, v)
	}
	for len(basis) > 0 && len(basis) < k {
		w := mat.NewVecDense(n, nil)
		w.MulVec(a, basis[len(basis)-1])
		wn := mat.Norm(w, 2)
		for range 2 {
			for _, q := range basis {
				w.AddScaledVec(w, -mat.Dot(q, w), q)
			}
		}
		if mat.Norm(w, 2) <= 1e-13*wn {
			break // an invariant subspace: it holds the solution
		}
		w.ScaleVec(1/mat.Norm(w, 2), w)
		basis = append(basis, w)
	}
	m := len(basis)
	if m == 0 {
		return make([]float64, n), 0
	}
	v := mat.NewDense(n, m, nil)
	for j, q := range basis {
		v.SetCol(j, q.RawVector().Data)
	}
	var av, h mat.Dense
	av.Mul(a, v)
	h.Mul(v.T(), &av)
	var vr, y, z mat.VecDense
	vr.MulVec(v.T(), rhs)
	if err := y.SolveVec(&h, &vr); err != nil {
		panic("conform: the projected CG system of a drawn problem: " + err.Error())
	}
	z.MulVec(v, &y)
	return z.RawVector().Data, m
}

// origCase is an rbp.original request: k iterations z <- J^T z + b from z0.
type origCase struct {
	Problem    rbpProblem `json:"problem"`
	Z0         []float64  `json:"z0"`
	Iterations int        `json:"iterations"`
}

func (c origCase) inputs() map[string]any {
	in := c.Problem.inputs(true)
	in["z0"], in["iterations"] = c.Z0, c.Iterations
	return in
}

// problemCorruptions are the bad problems: a NaN or an infinity in each input, and shapes that do
// not fit (n is len(c), m is len(x)).
func problemCorruptions(withY bool) []corruption {
	entry := func(field string, row bool, value, why string) corruption {
		return corruption{why: why, apply: func(in map[string]any) {
			if row {
				m := in[field].([][]float64)
				rows := make([]any, len(m))
				for i, r := range m {
					rows[i] = r
				}
				first := make([]any, len(m[0]))
				for k, x := range m[0] {
					first[k] = x
				}
				first[0] = json.RawMessage(value)
				rows[0] = first
				in[field] = rows
				return
			}
			v := in[field].([]float64)
			out := make([]any, len(v))
			for i, x := range v {
				out[i] = x
			}
			out[len(out)-1] = json.RawMessage(value)
			in[field] = out
		}}
	}
	out := []corruption{
		entry("W", true, `"NaN"`, "W[0][0] is NaN"),
		entry("U", true, `"Infinity"`, "U[0][0] is +Infinity"),
		entry("x", false, `"NaN"`, "x has a NaN"),
		entry("c", false, `"-Infinity"`, "c has a -Infinity"),
		{why: "c has n - 1 entries", apply: func(in map[string]any) { c := in["c"].([]float64); in["c"] = c[:len(c)-1] }},
		{why: "W is n x (n - 1)", apply: func(in map[string]any) {
			w := in["W"].([][]float64)
			out := make([][]float64, len(w))
			for i, r := range w {
				out[i] = r[:len(r)-1]
			}
			in["W"] = out
		}},
		{why: "U has n + 1 rows", apply: func(in map[string]any) {
			u := in["U"].([][]float64)
			in["U"] = append(append([][]float64(nil), u...), u[0])
		}},
		{why: "x has one entry more than U has columns", apply: func(in map[string]any) { in["x"] = append(append([]float64(nil), in["x"].([]float64)...), 1) }},
	}
	if withY {
		out = append(out, entry("y", false, `"NaN"`, "y has a NaN"),
			corruption{why: "y has n + 1 entries", apply: func(in map[string]any) { in["y"] = append(append([]float64(nil), in["y"].([]float64)...), 0) }})
	}
	return out
}

func init() {
	rbpNeeds := func(ops ...string) []string { return ops }

	define("rbp.fixed_point/theory",
		"h* = tanh(W h* + U x + c) agrees with theory/rbp.TanhFixedPoint (Newton) to 8 eps (n + m + 1) S / (1 - |W|_2) in the 2-norm, S = 1 + |W|_F |h*| + |U|_F |x| + |c| (the rounding of the pre-activation and of tanh, amplified by |(I - J)^-1| <= 1/(1 - |W|_2), for two independently rounded fixed points, times 4): a fixed point iterated only to a step of 1e-12 fails",
		100, rbpNeeds("rbp.fixed_point"),
		func(t *rapid.T) rbpProblem { return drawProblem(t, qMax) },
		func(s *session, p rbpProblem) verdict {
			r := p.ref()
			var v verdict
			v.closeVec("h", s.answer("rbp.fixed_point", p.inputs(false)).vector("h", r.n), r.hstar, r.fixedCheck)
			return v
		})
	defineBad("rbp.fixed_point", 40, func(t *rapid.T) rbpProblem { return drawProblem(t, qMax) },
		func(p rbpProblem) map[string]any { return p.inputs(false) }, problemCorruptions(false))

	define("rbp.neumann/theory",
		"Neumann-RBP with K vector-Jacobian products, (dF/dw)^T sum_{k=0}^{K} (J^T)^k b at h*, agrees with theory/rbp.NeumannPartial to 64 eps (n + m + K + 2) (|b| + S) (|h*| + 1) / (1 - |W|_2)^2 (2-norm, for grad_W and grad_c)",
		100, rbpNeeds("rbp.neumann"), drawK(0, 40),
		func(s *session, c kCase) verdict {
			r := c.Problem.ref()
			var v verdict
			v.compareGrad(r, s.answer("rbp.neumann", c.inputs("K")), r.neumannRef(c.K), r.tolGrad(c.K, 0))
			return v
		})
	defineBad("rbp.neumann", 40, drawK(0, 40), func(c kCase) map[string]any { return c.inputs("K") },
		append(problemCorruptions(true), badSize("K", 0)...))

	define("rbp.tbptt/theory",
		"TBPTT through the last K applications of F with every state at h* is the sum of the first K Neumann terms, (dF/dw)^T sum_{k=0}^{K-1} (J^T)^k b (0 at K = 0), to 64 eps (n + m + K + 2) (|b| + S) (|h*| + 1) / (1 - |W|_2)^2",
		100, rbpNeeds("rbp.tbptt"), drawK(0, 40),
		func(s *session, c kCase) verdict {
			r := c.Problem.ref()
			var v verdict
			v.compareGrad(r, s.answer("rbp.tbptt", c.inputs("K")), r.neumannRef(c.K-1), r.tolGrad(c.K, 0))
			return v
		})
	defineBad("rbp.tbptt", 40, drawK(0, 40), func(c kCase) map[string]any { return c.inputs("K") },
		append(problemCorruptions(true), badSize("K", 0)...))

	define("rbp.neumann/tbptt",
		"reference-free (the counting convention): Neumann-RBP with K vector-Jacobian products equals TBPTT through the last K + 1 applications of F at h*, to 64 eps (n + m + K + 3) (|b| + S) (|h*| + 1) / (1 - |W|_2)^2; the off-by-one TBPTT(K) differs by the J^K term",
		100, rbpNeeds("rbp.neumann", "rbp.tbptt"), drawK(0, 40),
		func(s *session, c kCase) verdict {
			r := c.Problem.ref()
			nw, nc := grads(s.answer("rbp.neumann", c.inputs("K")), r.n)
			next := c
			next.K++
			tw, tc := grads(s.answer("rbp.tbptt", next.inputs("K")), r.n)
			tol := r.tolGrad(c.K+1, 0)
			var v verdict
			v.closeVec("Neumann(K) - TBPTT(K+1): grad_W", nw, tw, tol)
			v.closeVec("Neumann(K) - TBPTT(K+1): grad_c", nc, tc, tol)
			return v
		})

	drawBPTT := func(t *rapid.T) bpttCase {
		p := drawProblem(t, qMax)
		n := len(p.C)
		return bpttCase{Problem: p, H0: rapid.SliceOfN(rapid.Float64Range(-2, 2), n, n).Draw(t, "h0"),
			T: rapid.OneOf(rapid.IntRange(0, 60), rapid.SampledFrom([]int{0, 1, 2, 200})).Draw(t, "T")}
	}
	define("rbp.bptt/theory",
		"full BPTT through T applications of F from h0, loss 1/2 |h_T - y|^2, agrees with numeric/rbp.TBPTT to 64 eps (n + m + T + 2) (|b_T| + S0) (H + 1) / (1 - |W|_2)^2, H = max(|h0|, sqrt n) and S0 = 1 + |W|_F H + |U|_F |x| + |c| (the contraction keeps the trajectory's rounding from growing)",
		100, rbpNeeds("rbp.bptt"), drawBPTT,
		func(s *session, c bpttCase) verdict {
			r := c.Problem.ref()
			model, err := nrbp.NewTanh(mat.DenseCopyOf(r.w).RawMatrix().Data, c.Problem.C, r.drive)
			if err != nil {
				panic("conform: the tanh model of a drawn problem: " + err.Error())
			}
			want, hT, err := nrbp.TBPTT(model, c.H0, c.T, func(dst, h []float64) { floats.SubTo(dst, h, c.Problem.Y) })
			if err != nil {
				panic("conform: BPTT on a drawn problem: " + err.Error())
			}
			h := math.Max(floats.Norm(c.H0, 2), math.Sqrt(float64(r.n)))
			bT := floats.Distance(hT, c.Problem.Y, 2)
			s0 := r.scale - mat.Norm(r.w, 2)*r.hn + mat.Norm(r.w, 2)*h
			tol := 64 * eps * float64(r.n+r.m+c.T+2) * (bT + s0) * (h + 1) / ((1 - r.q) * (1 - r.q))
			gw, gc := grads(s.answer("rbp.bptt", c.inputs()), r.n)
			var v verdict
			v.closeVec("grad_W", gw, want[:r.n*r.n], tol)
			v.closeVec("grad_c", gc, want[r.n*r.n:], tol)
			return v
		})
	defineBad("rbp.bptt", 40, drawBPTT, bpttCase.inputs, append(append(problemCorruptions(true), badSize("T", 0)...),
		set("h0", `["NaN"]`, "h0 is [NaN] (NaN, and of length 1)"),
		corruption{why: "h0 has n + 1 entries", apply: func(in map[string]any) { in["h0"] = append(append([]float64(nil), in["h0"].([]float64)...), 0) }}))

	define("rbp.cg/theory",
		"CG-RBP (CG on ((I - J)(I - J^T) + eta I) z = (I - J) b from z = 0, stopping at |r| <= tol |(I - J) b|) gives (dF/dw)^T z within (|h*| + 1) (tol |rhs| / lambda_min + 64 eps (n + iterations) cond |z| + 4 dh (1 + |z|)(1 + |W|_2)/lambda_min) + 4 |z| dh of the dense damped solve, lambda_min and cond of the damped system, dh the fixed point's tolerance: the residual bound |z - z*| <= |A^-1| |r| and the rounding of CG",
		100, rbpNeeds("rbp.cg"), drawCG,
		func(s *session, c cgCase) verdict {
			r := c.Problem.ref()
			z, rhs, lmin, lmax := r.cgRef(c.Damping)
			zn := floats.Norm(z, 2)
			dh := r.fixedTolH
			tolZ := c.Tol*rhs/lmin + 64*eps*float64(r.n+c.Iterations)*(lmax/lmin)*zn + 4*dh*(1+zn)*(1+r.q)/lmin
			var v verdict
			v.compareGrad(r, s.answer("rbp.cg", c.inputs()), z, (r.hn+1)*tolZ+4*zn*dh+r.tolGrad(0, 0))
			return v
		})
	defineBad("rbp.cg", 40, drawCG, cgCase.inputs, append(append(append(append(problemCorruptions(true), badSize("iterations", 1)...),
		badFloats("damping", 0, math.NaN())...), badFloats("tol", math.NaN(), math.NaN())...),
		set("tol", "0", "tol = 0 (it must be > 0)"), set("tol", "-1e-8", "tol = -1e-8")))

	define("rbp.cg/converges",
		"reference-free: as CG-RBP's tolerance shrinks through 1e-2, 1e-4, ..., 1e-12 (no damping) its gradient reaches the implicit gradient, taken as the program's Neumann-RBP with K so large that |J^T|^(K+1)/(1 - |W|_2) < eps: each within (sqrt(n) + 1)(tol (1 + q)(sqrt(n) + |y|)/(1 - q)^2) + rounding, q = |W|_2 (sigma_min(I - J) >= 1 - q, |b| <= sqrt(n) + |y|)",
		60, rbpNeeds("rbp.cg", "rbp.neumann"),
		func(t *rapid.T) rbpProblem { return drawProblem(t, 0.9) },
		func(s *session, p rbpProblem) verdict {
			r := p.ref()
			n := float64(r.n)
			k := 1
			if r.q > 0 {
				k = int(math.Ceil(math.Log(eps*(1-r.q)/4) / math.Log(r.q)))
			}
			in := p.inputs(true)
			in["K"] = k
			nw, nc := grads(s.answer("rbp.neumann", in), r.n)
			yn := floats.Norm(p.Y, 2)
			zmax := (math.Sqrt(n) + yn) / (1 - r.q)
			cond := math.Pow((1+r.q)/(1-r.q), 2)
			var v verdict
			for e := 2; e <= 12; e += 2 {
				tol := math.Pow(10, -float64(e))
				c := cgCase{Problem: p, Iterations: 1000, Damping: 0, Tol: tol}
				gw, gc := grads(s.answer("rbp.cg", c.inputs()), r.n)
				bound := (math.Sqrt(n)+1)*(tol*(1+r.q)*(math.Sqrt(n)+yn)/((1-r.q)*(1-r.q))+64*eps*float64(r.n+100)*cond*zmax) + 2*r.tolGrad(k, 0)
				v.closeVec(fmt.Sprintf("CG(tol %g) - Neumann(%d): grad_W", tol, k), gw, nw, bound)
				v.closeVec(fmt.Sprintf("CG(tol %g) - Neumann(%d): grad_c", tol, k), gc, nc, bound)
			}
			return v
		})

	define("rbp.cg/iterations",
		"CG-RBP stopped by its iteration count: with k <= n iterations and tol = 1e-300 (never met) the adjoint is the k-th CG iterate, the minimiser of the A-norm error over the Krylov space span{rhs, ..., A^(k-1) rhs} (found by an orthonormal basis, not by CG), to (|h*| + 1) (64 eps (n + k) cond |z_k| + 4 dh (1 + |z_k|)(1 + |W|_2)/lambda_min) + 4 |z_k| dh, cond and lambda_min of the damped system: a program that ignores the count (which rbp.cg/theory cannot see: its cases draw at least 4n + 10 iterations) fails",
		100, rbpNeeds("rbp.cg"),
		func(t *rapid.T) cgCase {
			p := drawProblem(t, qMax)
			n := len(p.C)
			return cgCase{Problem: p, Iterations: rapid.IntRange(1, n).Draw(t, "iterations"),
				Damping: edged(t, "damping", rapid.Float64Range(0, 1), 0, 1e-3, 1), Tol: 1e-300}
		},
		func(s *session, c cgCase) verdict {
			return krylovIterate(s, c, c.Problem.ref(), c.Iterations)
		})

	define("rbp.cg/tolerance",
		"CG-RBP stopped by its tolerance: tol is drawn between the relative residuals |rhs - A z_j|/|rhs| of two consecutive exact CG iterates (z_j a new least residual, at least 1.2 times below the earlier ones and above 1e-10), so the first iterate with |r| <= tol |(I - J) b| is z_j, found as in rbp.cg/iterations and held to its tolerance: a program that compares |r| with tol alone, or |r|^2 with tol, or stops at another iterate, fails (rbp.cg/theory's bound admits any iterate below the tolerance)",
		100, rbpNeeds("rbp.cg"),
		func(t *rapid.T) cgCase {
			p := drawProblem(t, qMax)
			n := len(p.C)
			damping := edged(t, "damping", rapid.Float64Range(0, 1), 0, 1e-3, 1)
			res, rhs := p.ref().cgResiduals(damping)
			var js []int
			least := rhs
			for j := 1; j < len(res); j++ {
				if res[j] > 1e-10*rhs && 1.2*res[j] < least {
					js = append(js, j)
				}
				least = math.Min(least, res[j])
			}
			c := cgCase{Problem: p, Iterations: n + 10, Damping: damping, Tol: 1e-300}
			if len(js) > 0 {
				j := rapid.SampledFrom(js).Draw(t, "stop")
				least := rhs
				for i := 1; i < j; i++ {
					least = math.Min(least, res[i])
				}
				c.Tol = math.Sqrt(res[j]*least) / rhs
			}
			return c
		},
		func(s *session, c cgCase) verdict {
			r := c.Problem.ref()
			res, rhsNorm := r.cgResiduals(c.Damping)
			k := len(res) - 1 // the Krylov space's dimension: CG is exact there
			for j := 1; j < len(res); j++ {
				if math.Abs(res[j]-c.Tol*rhsNorm) <= 0.05*res[j] {
					return verdict{} // a residual within 5% of the threshold: either iterate may stop
				}
				if res[j] <= c.Tol*rhsNorm {
					k = j
					break
				}
			}
			return krylovIterate(s, c, r, k)
		})

	drawOrig := func(t *rapid.T) origCase {
		p := drawProblem(t, qMax)
		n := len(p.C)
		return origCase{Problem: p, Z0: rapid.SliceOfN(rapid.Float64Range(-2, 2), n, n).Draw(t, "z0"),
			Iterations: rapid.OneOf(rapid.IntRange(0, 60), rapid.SampledFrom([]int{0, 1, 200})).Draw(t, "iterations")}
	}
	define("rbp.original/theory",
		"original RBP, z_k = J^T z_{k-1} + b from z0, gives (dF/dw)^T z_k = (dF/dw)^T (g_{k-1} + (J^T)^k z0) to 64 eps (n + m + k + 2) (|b| + S + |z0|) (|h*| + 1) / (1 - |W|_2)^2",
		100, rbpNeeds("rbp.original"), drawOrig,
		func(s *session, c origCase) verdict {
			r := c.Problem.ref()
			z := mat.NewVecDense(r.n, append([]float64(nil), c.Z0...))
			next := mat.NewVecDense(r.n, nil)
			for range c.Iterations {
				next.MulVec(r.j.T(), z)
				next.AddVec(next, mat.NewVecDense(r.n, r.b))
				z, next = next, z
			}
			var v verdict
			v.compareGrad(r, s.answer("rbp.original", c.inputs()), z.RawVector().Data, r.tolGrad(c.Iterations, floats.Norm(c.Z0, 2)))
			return v
		})
	defineBad("rbp.original", 40, drawOrig, origCase.inputs, append(append(problemCorruptions(true), badSize("iterations", 0)...),
		set("z0", `["NaN"]`, "z0 is [NaN] (NaN, and of length 1)"),
		corruption{why: "z0 has n + 1 entries", apply: func(in map[string]any) { in["z0"] = append(append([]float64(nil), in["z0"].([]float64)...), 0) }}))

	define("rbp.original/neumann",
		"reference-free: original RBP from z0 = 0 after k >= 1 iterations equals Neumann-RBP with k - 1 products, to 64 eps (n + m + k + 2) (|b| + S) (|h*| + 1) / (1 - |W|_2)^2",
		60, rbpNeeds("rbp.original", "rbp.neumann"), drawK(1, 40),
		func(s *session, c kCase) verdict {
			r := c.Problem.ref()
			oc := origCase{Problem: c.Problem, Z0: make([]float64, r.n), Iterations: c.K}
			ow, ocg := grads(s.answer("rbp.original", oc.inputs()), r.n)
			prev := c
			prev.K--
			nw, nc := grads(s.answer("rbp.neumann", prev.inputs("K")), r.n)
			tol := r.tolGrad(c.K, 0)
			var v verdict
			v.closeVec("Original(0, k) - Neumann(k-1): grad_W", ow, nw, tol)
			v.closeVec("Original(0, k) - Neumann(k-1): grad_c", ocg, nc, tol)
			return v
		})
}
