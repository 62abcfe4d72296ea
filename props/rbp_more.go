package props

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/dlt5/verify/numeric/orthogonal"
	simrbp "github.com/dlt5/verify/numeric/rbp"
	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// SpectrumMatrix returns J = V diag(eigs) V^{-1} with V = Q diag(1 + u_i), Q a random orthogonal
// matrix and u_i uniform on [0, 1) (a non-normal J with the given real eigenvalues), from
// PCG(seed, 6).
func SpectrumMatrix(eigs []float64, seed uint64) (*mat.Dense, error) {
	n := len(eigs)
	rng := rand.New(rand.NewPCG(seed, 6))
	q, err := orthogonal.Haar(rng, n)
	if err != nil {
		return nil, err
	}
	for j := range n {
		s := 1 + rng.Float64()
		for i := range n {
			q.Set(i, j, q.At(i, j)*s)
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(q); err != nil {
		return nil, err
	}
	var j mat.Dense
	j.Mul(q, mat.NewDiagDense(n, append([]float64(nil), eigs...)))
	j.Mul(&j, &inv)
	return &j, nil
}

// RBP3Identity checks z - g_K = (J^T)^{K+1} z to rounding (in units of |z|), with g_K from the
// numeric Neumann recursion through a linear model's vector-Jacobian products.
func RBP3Identity(j *mat.Dense, b []float64, k int) Result {
	what := fmt.Sprintf("RBP-3 z - g_K = (J^T)^(K+1) z, K=%d", k)
	z, err1 := rbp.Adjoint(j, b)
	e, err2 := rbp.NeumannError(j, b, k)
	n, _ := j.Dims()
	model, err3 := simrbp.NewLinear(mat.DenseCopyOf(j).RawMatrix().Data, make([]float64, n))
	if err := firstErr(err1, err2, err3); err != nil {
		return failed(what, err)
	}
	g, err := simrbp.NeumannAdjoint(model, make([]float64, n), b, k)
	if err != nil {
		return failed(what, err)
	}
	diff := make([]float64, n)
	floats.SubTo(diff, z, g)
	return RelCheck(what, floats.Distance(diff, e, math.Inf(1)), 0, floats.Norm(z, math.Inf(1))+1e-300, float64(k+10)*1e-14)
}

// NormFunc is an induced matrix norm; RBP3Bound takes the one to use for |J^T|.
type NormFunc func(mat.Matrix) float64

// TransposeNorms returns the induced 1-, 2- and inf-norms of J^T (the bound's norms).
func TransposeNorms() map[string]NormFunc {
	return map[string]NormFunc{
		"1":   func(a mat.Matrix) float64 { return mat.Norm(a.T(), 1) },
		"2":   func(a mat.Matrix) float64 { s, _ := rbp.SpectralNorm(a); return s },
		"inf": func(a mat.Matrix) float64 { return mat.Norm(a.T(), math.Inf(1)) },
	}
}

func vecNorm(name string, v []float64) float64 {
	switch name {
	case "1":
		return floats.Norm(v, 1)
	case "2":
		return floats.Norm(v, 2)
	}
	return floats.Norm(v, math.Inf(1))
}

// RBP3Bound checks |z - g_K|_p <= |J^T|_p^{K+1} |b|_p / (1 - |J^T|_p) in the vector p-norm, with
// the matrix norm given by norm (the induced norm of J^T is the claim; that of J is the control).
func RBP3Bound(j *mat.Dense, b []float64, k int, p string, norm NormFunc) Result {
	what := fmt.Sprintf("RBP-3 Neumann bound, %s-norm, K=%d", p, k)
	e, err := rbp.NeumannError(j, b, k)
	if err != nil {
		return failed(what, err)
	}
	bound, err := rbp.NeumannBound(norm(j), vecNorm(p, b), k)
	if err != nil {
		return failed(what, err)
	}
	got := vecNorm(p, e)
	return Result{Case: what, Measured: got / bound, Bound: 1, Pass: got <= bound*(1+1e-12),
		Detail: fmt.Sprintf("|z - g_K| = %.4g, bound %.4g", got, bound)}
}

// RBP3Rate fits the geometric rate of the truncation error between K1 and K2 and checks it equals
// rho(J) within 1e-3 relative (for a J whose other eigenvalues are at most rho/2 in modulus, the
// ratio converges like 2^-K).
func RBP3Rate(j *mat.Dense, b []float64, k1, k2 int) Result {
	what := fmt.Sprintf("RBP-3 error rate over K=%d..%d = rho(J)", k1, k2)
	e1, err1 := rbp.NeumannError(j, b, k1)
	e2, err2 := rbp.NeumannError(j, b, k2)
	rho, err3 := rbp.SpectralRadius(j)
	if err := firstErr(err1, err2, err3); err != nil {
		return failed(what, err)
	}
	rate := math.Pow(floats.Norm(e2, 2)/floats.Norm(e1, 2), 1/float64(k2-k1))
	return RelCheck(what, rate, rho, rho, 1e-3)
}

// RBP4Identity checks that k iterations of the original RBP from z0 give g_{k-1} + (J^T)^k z0
// (z0 = 0: g_{k-1}; z0 = b: g_k). shift = 0 is the claim; shift = 1 (g_k + (J^T)^k z0, the
// off-by-one) the negative control.
func RBP4Identity(j *mat.Dense, b, z0 []float64, k, shift int) Result {
	what := fmt.Sprintf("RBP-4 original RBP z_%d = g_%d + (J^T)^%d z0", k, k-1+shift, k)
	n, _ := j.Dims()
	model, err := simrbp.NewLinear(mat.DenseCopyOf(j).RawMatrix().Data, make([]float64, n))
	if err != nil {
		return failed(what, err)
	}
	zk, err := simrbp.OriginalRBP(model, make([]float64, n), b, z0, k)
	if err != nil {
		return failed(what, err)
	}
	want := make([]float64, n)
	if k-1+shift >= 0 {
		if want, err = rbp.NeumannPartial(j, b, k-1+shift); err != nil {
			return failed(what, err)
		}
	}
	pz := mat.NewVecDense(n, append([]float64(nil), z0...))
	for range k {
		pz.MulVec(j.T(), mat.VecDenseCopyOf(pz))
	}
	floats.Add(want, pz.RawVector().Data)
	scale := floats.Norm(want, math.Inf(1)) + floats.Norm(b, math.Inf(1))
	return RelCheck(what, floats.Distance(zk, want, math.Inf(1)), 0, scale, float64(k+10)*1e-14)
}

// RBP4Unstable checks, for a J with rho(J) > 1 and no eigenvalue 1, that the original RBP
// iterates grow at the rate rho (within 1e-2 between k1 and k2 = 2 k1), while CG-RBP still returns
// (I - J^T)^{-1} b (relative 1e-8).
func RBP4Unstable(j *mat.Dense, b []float64, k1 int) []Result {
	n, _ := j.Dims()
	model, err := simrbp.NewLinear(mat.DenseCopyOf(j).RawMatrix().Data, make([]float64, n))
	rho, err2 := rbp.SpectralRadius(j)
	z, err3 := rbp.Adjoint(j, b)
	if err := firstErr(err, err2, err3); err != nil {
		return []Result{failed("RBP-4 instability", err)}
	}
	h := make([]float64, n)
	z1, _ := simrbp.OriginalRBP(model, h, b, make([]float64, n), k1)
	z2, _ := simrbp.OriginalRBP(model, h, b, make([]float64, n), 2*k1)
	rate := math.Pow(floats.Norm(z2, 2)/floats.Norm(z1, 2), 1/float64(k1))
	zcg, rep, err := simrbp.CGRBP(model, h, b, 0, 1e-14, 20*n)
	if err != nil {
		return []Result{failed("RBP-4 CG", err)}
	}
	return []Result{
		RelCheck(fmt.Sprintf("RBP-4 original RBP grows like rho^k (rho=%.3g)", rho), rate, rho, rho, 1e-2),
		RelCheck(fmt.Sprintf("RBP-4 CG-RBP solves the adjoint when rho=%.3g (%d iterations)", rho, rep.Iterations),
			floats.Distance(zcg, z, math.Inf(1)), 0, floats.Norm(z, math.Inf(1)), 1e-8),
	}
}

// RBP5 checks CG-RBP: it returns the direct-solve adjoint (relative 1e-8) within 2n iterations;
// damping eta moves the answer by O(eta) (|z(2 eta) - z| / |z(eta) - z| within 5% of 2); and
// cond((I - J)(I - J^T)) = cond(I - J)^2 (relative 1e-6).
func RBP5(j *mat.Dense, b []float64) []Result {
	n, _ := j.Dims()
	model, err := simrbp.NewLinear(mat.DenseCopyOf(j).RawMatrix().Data, make([]float64, n))
	z, err2 := rbp.Adjoint(j, b)
	if err := firstErr(err, err2); err != nil {
		return []Result{failed("RBP-5", err)}
	}
	h := make([]float64, n)
	zcg, rep, err := simrbp.CGRBP(model, h, b, 0, 1e-13, 2*n)
	if err != nil {
		return []Result{failed("RBP-5", err)}
	}
	ij := identityMinus(j)
	var normal mat.Dense
	normal.Mul(ij, ij.T())
	c1, c2 := mat.Cond(ij, 2), mat.Cond(&normal, 2)
	eta := 1e-6 * smallestSingular2(ij)
	za, _, _ := simrbp.CGRBP(model, h, b, eta, 1e-15, 20*n)
	zb, _, _ := simrbp.CGRBP(model, h, b, 2*eta, 1e-15, 20*n)
	ratio := floats.Distance(zb, z, 2) / floats.Distance(za, z, 2)
	return []Result{
		RelCheck(fmt.Sprintf("RBP-5 CG-RBP = direct adjoint (%d iterations, n=%d)", rep.Iterations, n),
			floats.Distance(zcg, z, math.Inf(1)), 0, floats.Norm(z, math.Inf(1)), 1e-8),
		{Case: "RBP-5 CG-RBP iterations <= 2n", Measured: float64(rep.Iterations), Bound: float64(2 * n),
			Pass: rep.Converged && rep.Iterations <= 2*n, Detail: fmt.Sprintf("relative residual %.3g", rep.Residual)},
		RelCheck("RBP-5 damping moves z by O(eta)", ratio, 2, 2, 0.05),
		RelCheck("RBP-5 cond((I-J)(I-J^T)) = cond(I-J)^2", c2, c1*c1, c1*c1, 1e-6),
	}
}

// smallestSingular2 returns sigma_min(A)^2, the scale damping is measured against.
func smallestSingular2(a mat.Matrix) float64 {
	var svd mat.SVD
	svd.Factorize(a, mat.SVDNone)
	sv := svd.Values(nil)
	return sv[len(sv)-1] * sv[len(sv)-1]
}

// RBP5DampedExact is the negative control of RBP-5: damped CG (eta = 1e-2 sigma_min^2) claimed
// equal to the adjoint at 1e-8.
func RBP5DampedExact(j *mat.Dense, b []float64) Result {
	n, _ := j.Dims()
	model, err := simrbp.NewLinear(mat.DenseCopyOf(j).RawMatrix().Data, make([]float64, n))
	z, err2 := rbp.Adjoint(j, b)
	if err := firstErr(err, err2); err != nil {
		return failed("RBP-5 damped", err)
	}
	zd, _, err := simrbp.CGRBP(model, make([]float64, n), b, 1e-2*smallestSingular2(identityMinus(j)), 1e-15, 20*n)
	if err != nil {
		return failed("RBP-5 damped", err)
	}
	return RelCheck("RBP-5 damped CG-RBP = adjoint (control)", floats.Distance(zd, z, math.Inf(1)), 0, floats.Norm(z, math.Inf(1)), 1e-8)
}

// allocBytes returns the fewest bytes f allocated over three calls (runtime.MemStats).
func allocBytes(f func()) float64 {
	best := math.Inf(1)
	for range 3 {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		f()
		runtime.ReadMemStats(&b)
		best = math.Min(best, float64(b.TotalAlloc-a.TotalAlloc))
	}
	return best
}

// MemoryProfile returns the bytes one call of Neumann-RBP and of TBPTT allocates at each K, on a
// tanh problem of size n.
func MemoryProfile(n int, ks []int) (neu, tb []float64, err error) {
	p, err := NewTanhProblem(n, 0.5, 1)
	if err != nil {
		return nil, nil, err
	}
	m, err := p.Model()
	if err != nil {
		return nil, nil, err
	}
	h := make([]float64, n)
	for _, k := range ks {
		neu = append(neu, allocBytes(func() { _, _ = simrbp.Neumann(m, h, k, p.lossGrad) }))
		tb = append(tb, allocBytes(func() { _, _, _ = simrbp.TBPTT(m, h, k, p.lossGrad) }))
	}
	return neu, tb, nil
}

// RBP6 checks the memory claim at K = 10, 100, 1000: Neumann-RBP's bytes per call flat within 5%,
// TBPTT's growing linearly ((B(1000) - B(10)) / (B(100) - B(10)) = 11 within 5%). flatTBPTT = true
// asserts TBPTT flat instead (the negative control).
func RBP6(n int, flatTBPTT bool) []Result {
	neu, tb, err := MemoryProfile(n, []int{10, 100, 1000})
	if err != nil {
		return []Result{failed("RBP-6", err)}
	}
	detail := fmt.Sprintf("bytes/call at K=10,100,1000: Neumann %.0f %.0f %.0f; TBPTT %.0f %.0f %.0f", neu[0], neu[1], neu[2], tb[0], tb[1], tb[2])
	out := []Result{{Case: "RBP-6 Neumann-RBP memory flat in K", Measured: neu[2] / neu[0], Bound: 1.05,
		Pass: neu[2]/neu[0] <= 1.05 && neu[2]/neu[0] >= 1/1.05, Detail: detail}}
	if flatTBPTT {
		return append(out, Result{Case: "RBP-6 TBPTT memory flat in K (control)", Measured: tb[2] / tb[0], Bound: 1.05,
			Pass: tb[2]/tb[0] <= 1.05, Detail: detail})
	}
	lin := (tb[2] - tb[0]) / (tb[1] - tb[0])
	return append(out, RelCheck("RBP-6 TBPTT memory linear in K", lin, 11, 11, 0.05))
}
