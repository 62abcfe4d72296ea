package props

import (
	"fmt"
	"math/rand/v2"

	simrbp "github.com/dlt5/verify/numeric/rbp"
	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The RBP paper's registrations: the command's settings for RBP-1 .. RBP-9, their negative
// controls, figures and findings, and the golden grid.

// spectralCond is the condition number of the eigenvector basis of the command's test matrices:
// far enough from 1 that J is genuinely non-normal (a transpose slip shows), small enough that
// the eigenvalues stay those asked for to ~1e-14.
const spectralCond = 3

// rbpSpectrum returns the command's RBP-3..5 case: eigenvalues rho, rho/2, -rho/3 and the pair
// rho (0.2 +- 0.3i) (n = 5, rho(J) = rho), a non-normal basis, and b = (1, -1, 1, -1, 1).
func rbpSpectrum(rho float64, seed uint64) (Spectral, error) {
	eigs := []complex128{complex(rho, 0), complex(rho/2, 0), complex(-rho/3, 0), complex(0.2*rho, 0.3*rho)}
	j, err := simrbp.SpectrumMatrix(eigs, spectralCond, seed)
	return Spectral{J: j, B: []float64{1, -1, 1, -1, 1}}, err
}

// WrongNormJ is a matrix on which the Neumann bound with the norm of J instead of J^T fails in
// the 1-norm: J has a first row of beta (|J|_1 = beta, |J^T|_1 = m beta), and b = e_0.
func WrongNormJ(m int, beta float64) Spectral {
	j := mat.NewDense(m, m, nil)
	for c := range m {
		j.Set(0, c, beta)
	}
	b := make([]float64, m)
	b[0] = 1
	return Spectral{J: j, B: b, P: "1"}
}

// NormOfJ is the induced 1-norm of J itself, the wrong norm of the RBP-3 control.
func NormOfJ(a mat.Matrix) float64 { return mat.Norm(a, 1) }

// The registered findings of the RBP paper.
const (
	countingFinding = "counting"
	normFinding     = "norm of J^T"
)

// cgRoundingFinding is RBP-5's finding: CG needs more than n iterations in floating point.
const cgRoundingFinding = "cg-rounding"

// cgRoundingCase is the smallest case of the cg-rounding finding: eigenvalues +-0.9 with an
// eigenvector basis of condition 8 (seed 0) and b from PCG(0, 11).
func cgRoundingCase() (iters, n int, err error) {
	j, err := simrbp.SpectrumMatrix([]complex128{0.9, -0.9}, 8, 0)
	if err != nil {
		return 0, 0, err
	}
	rng := rand.New(rand.NewPCG(0, 11))
	b := []float64{rng.NormFloat64(), rng.NormFloat64()}
	return CGIterations(Spectral{J: j, B: b})
}

func init() {
	claim.RegisterPaper(claim.Paper{Key: "rbp", Prefix: "RBP",
		Citation: "Liao, Xiong, Fetaya, Zhang, Yoon, Pitkow, Urtasun, Zemel, \"Reviving and Improving Recurrent Back-Propagation\", ICML 2018",
		Summary: "Recurrent back-propagation differentiates a loss through the fixed point h* = F(x, w, h*) of a convergent recurrence " +
			"by the implicit function theorem, dL/dw = (dF/dw)^T (I - J^T)^{-1} dL/dh*, instead of through the unrolled history. " +
			"The original RBP iteration can be unstable; CG-RBP (conjugate gradient on the normal equations) and Neumann-RBP " +
			"(a truncated Neumann series, equal to truncated BPTT at the fixed point, at constant memory) are the paper's fixes."})
	claim.Register(claim.Claim{ID: "RBP-1", Paper: "rbp",
		Statement:  "At the fixed point of a contraction, the implicit gradient dL/dw = (dF/dw)^T (I - J^T)^{-1} b equals central finite differences of L(h*(w)); for F = A h + B x, h* = (I - A)^{-1} B x and dL/dA = (I - A^T)^{-1} (dL/dh*) h*^T.",
		Source:     "Section 2 (implicit function theorem, Eq. 2-4) and the linear special case.",
		Conditions: "F = tanh(W h + U x + c) with |W|_2 < 1, any size; linear F with spectral radius of A below 1 (A non-normal); finite differences to relative 1e-6 plus their stated noise floor.",
		Run: func(seed uint64) claim.Outcome {
			o := claim.Results(RBP1(Gradient{Problem: simrbp.CanonicalProblem()}))
			p, err := simrbp.NewTanhProblem(8, 0.9, seed)
			if err != nil {
				o.Add(claim.Failed("RBP-1 set-up", err))
			} else {
				o.Add(RBP1(Gradient{Problem: p}))
			}
			a, err := simrbp.SpectrumMatrix([]complex128{0.6, -0.3, complex(0.2, 0.3)}, spectralCond, seed)
			if err != nil {
				o.Add(claim.Failed("RBP-1 linear set-up", err))
				return o
			}
			o.Add(RBP1Linear(Linear{A: a, Bx: []float64{1, 2, -1, 0.5}, Y: []float64{0.3, -0.2, 0.1, 0}})...)
			return o
		},
		Control: func(uint64, claim.Size) []claim.Result {
			return []claim.Result{RBP1(Gradient{Problem: simrbp.CanonicalProblem(), Adjoint: WrongAdjointTranspose})}
		},
	})
	claim.Register(claim.Claim{ID: "RBP-2", Paper: "rbp",
		Statement:  "With every state at h*, Neumann-RBP with K vector-Jacobian products equals TBPTT through the last K + 1 applications of F (relative 1e-12); as K grows both tend to the implicit gradient, and full BPTT from any h_0 tends to it with a gap that shrinks geometrically in T. Away from h*, TBPTT through T steps from any h_0 is the gradient of L(F^T(h_0)) (finite differences).",
		Source:     "Section 3.3 (Neumann-RBP and its relation to truncated BPTT, Proposition 3).",
		Conditions: "F a contraction and the forward pass converged (h_{T-K-1} .. h_T all equal h* to machine precision).",
		Findings: []claim.Finding{{Name: countingFinding,
			Says: "The paper's \"K-step Neumann-RBP equals K-step TBPTT\" is off by one: Neumann-RBP with K vector-Jacobian products (series terms J^0 .. J^K) equals TBPTT through K + 1 applications of F; TBPTT through K misses the J^K term (6.5e-3 relative at K = 5 on the canonical problem)."}},
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			p, err := simrbp.NewTanhProblem(10, 0.8, seed)
			if err != nil {
				return claim.Results(claim.Failed("RBP-2 set-up", err))
			}
			for _, k := range []int{0, 1, 5, 20} {
				o.Add(RBP2(Truncated{Problem: simrbp.CanonicalProblem(), K: k, Offset: 1}), RBP2(Truncated{Problem: p, K: k, Offset: 1}))
			}
			o.Add(RBP2Limits(Truncated{Problem: simrbp.CanonicalProblem()})...)
			o.Add(RBP2Unrolled(Truncated{Problem: simrbp.CanonicalProblem(), K: 5}, seed), RBP2Unrolled(Truncated{Problem: p, K: 20}, seed+1))
			off := RBP2(Truncated{Problem: simrbp.CanonicalProblem(), K: 5, Offset: 0})
			o.Evidence = append(o.Evidence, claim.Evidence{Finding: countingFinding, Confirmed: off.Rejected(),
				Detail: "canonical problem, Neumann(K=5) vs TBPTT(5): " + off.Detail})
			return o
		},
		Control: func(uint64, claim.Size) []claim.Result {
			return []claim.Result{RBP2(Truncated{Problem: simrbp.CanonicalProblem(), K: 5, Offset: 0}),
				RBP2Unrolled(Truncated{Problem: simrbp.CanonicalProblem(), K: 5, Offset: -1}, 1),
				RBP2Unconverged(Truncated{Problem: simrbp.CanonicalProblem(), K: 3})}
		},
	})
	claim.Register(claim.Claim{ID: "RBP-3", Paper: "rbp",
		Statement:  "The Neumann truncation error is exactly z - g_K = (J^T)^{K+1} z; hence |z - g_K| <= |J^T|^{K+1} |b| / (1 - |J^T|) in any induced norm with |J^T| < 1, and the error's geometric rate tends to the spectral radius rho(J).",
		Source:     "Section 3.3 (truncation error of Neumann-RBP).",
		Conditions: "Any J with I - J invertible for the identity; |J^T| < 1 in the chosen norm for the bound; a gap between rho(J) and the next eigenvalue modulus (at most rho/2) for the rate. Non-normal J with real and complex eigenvalues.",
		Findings: []claim.Finding{{Name: normFinding,
			Says: "The bound needs the norm of J^T, not of J (they differ except in the 2-norm): on a J with one row of 0.2 (n = 4) the error in the 1-norm is 4 times the bound written with |J|_1."}},
		Run: func(seed uint64) claim.Outcome {
			c, err := rbpSpectrum(0.7, seed)
			if err != nil {
				return claim.Results(claim.Failed("RBP-3 set-up", err))
			}
			var o claim.Outcome
			for _, k := range []int{0, 10} {
				c.K = k
				o.Add(RBP3Identity(c))
			}
			c.K, c.K2 = 20, 60
			o.Add(RBP3Rate(c))
			// The bound needs |J^T| < 1 in its norm; the non-normal rho = 0.7 matrix has |J^T|_1 = 1.21
			// and |J^T|_inf = 1.10, so the bounds are checked on the rho = 0.5 one (0.86, 0.61, 0.78).
			b, err := rbpSpectrum(0.5, seed)
			if err != nil {
				o.Add(claim.Failed("RBP-3 bound set-up", err))
			}
			b.K = 5
			for _, p := range []string{"1", "2", "inf"} {
				if b.P = p; err == nil && TransposeNorms()[p](b.J) < 1 {
					o.Add(RBP3Bound(b))
				} else if err == nil {
					o.Add(claim.Skipped("RBP-3 Neumann bound, "+p+"-norm", fmt.Sprintf("|J^T|_%s = %.3g >= 1: the bound does not apply", p, TransposeNorms()[p](b.J))))
				}
			}
			w := WrongNormJ(4, 0.2)
			w.K = 3
			o.Add(RBP3Bound(w))
			w.NormOf = NormOfJ
			wrong := RBP3Bound(w)
			o.Evidence = append(o.Evidence, claim.Evidence{Finding: normFinding, Confirmed: wrong.Rejected(),
				Detail: fmt.Sprintf("n = 4, one row of 0.2, K = 3: error / bound with |J|_1 = %.3g (%s)", wrong.Measured, wrong.Detail)})
			o.AddFigure(neumannFigure())
			return o
		},
		Control: func(uint64, claim.Size) []claim.Result {
			w := WrongNormJ(4, 0.2)
			w.K, w.NormOf = 3, NormOfJ
			return []claim.Result{RBP3Bound(w)}
		},
	})
	claim.Register(claim.Claim{ID: "RBP-4", Paper: "rbp",
		Statement:  "The k-th original RBP iterate from any z_0 is exactly g_{k-1} + (J^T)^k z_0 (z_0 = 0: g_{k-1}; z_0 = b: g_k); when rho(J) > 1 its iterates grow like rho^k while CG-RBP still returns (I - J^T)^{-1} b.",
		Source:     "Section 3.1 (original RBP, Almeida-Pineda) and Section 3.2 (its instability; CG-RBP).",
		Conditions: "Any J for the identity; rho(J) > 1 with no eigenvalue equal to 1 for the instability. Non-normal J with real and complex eigenvalues.",
		Run: func(seed uint64) claim.Outcome {
			c, err1 := rbpSpectrum(0.7, seed)
			u, err2 := rbpSpectrum(1.5, seed)
			if err := claim.FirstErr(err1, err2); err != nil {
				return claim.Results(claim.Failed("RBP-4 set-up", err))
			}
			var o claim.Outcome
			c.K = 7
			for _, z0 := range [][]float64{make([]float64, 5), c.B, {0.5, 0.2, -0.1, 0.3, 1}} {
				c.Z0 = z0
				o.Add(RBP4Identity(c))
			}
			u.K = 60
			o.Add(RBP4Unstable(u)...)
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			c, err := rbpSpectrum(0.7, seed)
			if err != nil {
				return []claim.Result{claim.Failed("RBP-4 control set-up", err)}
			}
			c.Z0, c.K, c.Shift = make([]float64, 5), 7, 1
			return []claim.Result{RBP4Identity(c)}
		},
	})
	claim.Register(claim.Claim{ID: "RBP-5", Paper: "rbp",
		Statement:  "CG on the normal equations (I - J)(I - J^T) z = (I - J) b returns the direct-solve adjoint (in at most n iterations up to rounding); a damping term eta I moves the answer by O(eta); cond((I - J)(I - J^T)) = cond(I - J)^2.",
		Source:     "Section 3.2 (CG-RBP).",
		Conditions: "I - J non-singular, whatever the spectral radius; non-normal J with real and complex eigenvalues. The n iterations hold in exact arithmetic: the check allows CGSlack(n) = floor(n/2) + 2 more for rounding.",
		Findings: []claim.Finding{{Name: cgRoundingFinding,
			Says: "In floating point CG-RBP does not always converge in n iterations: over 20000 drawn spectra (n <= 10) 15% needed more than n to reach a relative residual of 1e-13, at most n + 4, because CG's short recurrences lose orthogonality. The smallest case: eigenvalues +-0.9, n = 2, three iterations."}},
		Run: func(seed uint64) claim.Outcome {
			c, err1 := rbpSpectrum(0.7, seed)
			u, err2 := rbpSpectrum(1.5, seed)
			if err := claim.FirstErr(err1, err2); err != nil {
				return claim.Results(claim.Failed("RBP-5 set-up", err))
			}
			o := claim.Results(append(RBP5(c), RBP5(u)...)...)
			iters, n, err := cgRoundingCase()
			if err != nil {
				return claim.Results(claim.Failed("RBP-5 cg-rounding case", err))
			}
			o.Evidence = append(o.Evidence, claim.Evidence{Finding: cgRoundingFinding, Confirmed: iters > n,
				Detail: fmt.Sprintf("eigenvalues +-0.9, eigenvector condition 8, seed 0: n = %d, %d iterations to a relative residual of 1e-13", n, iters)})
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			c, err := rbpSpectrum(0.7, seed)
			if err != nil {
				return []claim.Result{claim.Failed("RBP-5 control set-up", err)}
			}
			c.Damping = 1e-2
			return []claim.Result{RBP5Damped(c)}
		},
	})
	claim.Register(claim.Claim{ID: "RBP-6", Paper: "rbp",
		Statement:  "Neumann-RBP's memory does not grow with K while TBPTT's grows linearly (it stores K states); both make the same number of vector-Jacobian products.",
		Source:     "Section 3.3 (complexity of Neumann-RBP: TBPTT's time, constant memory).",
		Conditions: "Bytes allocated per call, measured with runtime.MemStats at K = 10, 100, 1000 (deterministic); products counted through the model.",
		Run:        func(uint64) claim.Outcome { return claim.Results(RBP6(Memory{N: 50, Ks: []int{10, 100, 1000}})...) },
		Alone:      true, // runtime.MemStats counts every goroutine's allocations
		Control: func(uint64, claim.Size) []claim.Result {
			return RBP6(Memory{N: 50, Ks: []int{10, 100, 1000}, WrongFlatTBPTT: true})
		},
	})
	claim.Register(claim.Claim{ID: "RBP-7", Paper: "rbp",
		Statement:  "For a continuous Hopfield network with clamped inputs, the damped iteration converges, the energy E(V) does not increase along small-step free trajectories, the hand-written Jacobian-vector product matches finite differences of the update, and the RBP gradient of the associative-memory loss matches finite differences.",
		Source:     "Section 4.1 (associative memory with continuous Hopfield networks); energy of Hopfield (1984).",
		Conditions: "Symmetric zero-diagonal W_eff, small enough weights for the clamped iteration to contract; energy along steps eps <= 0.05; the authors' eps = 1, beta = 0.5 also.",
		Run: func(seed uint64) claim.Outcome {
			out := RBP7(HopfieldCase{N: 8, Scale: 0.5, Eps: 0.05, Beta: 0.5, Seed: seed})
			// The authors' code runs eps = 1, beta = 0.5.
			return claim.Results(append(out, RBP7(HopfieldCase{N: 8, Scale: 0.5, Eps: 1, Beta: 0.5, Seed: seed + 1})...)...)
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			c := HopfieldCase{N: 8, Scale: 0.5, Eps: 0.05, Beta: 0.5, Seed: seed}
			c.JVP = WrongHopfieldJVP(&c)
			return []claim.Result{RBP7JVP(c)}
		},
	})
	claim.Register(claim.Claim{ID: "RBP-8", Paper: "rbp",
		Statement:  "One step of SGD with momentum on a quadratic is a recurrence on (w, m) with fixed point (H^{-1} q, 0) and a closed-form Jacobian; the hyper-gradient of L(h*) with respect to the learning rate and momentum is exactly zero at the fixed point and, for an unconverged inner loop, non-zero and equal to finite differences of the unrolled loss.",
		Source:     "Section 4.3 (hyper-parameter optimisation).",
		Conditions: "H symmetric positive definite, eta = 1/(2 lambda_max(H)), 0 <= mu < 1.",
		Run: func(seed uint64) claim.Outcome {
			return claim.Results(RBP8(MomentumCase{N: 5, Mu: 0.5, Seed: seed, Inner: 5})...)
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			return []claim.Result{RBP8Unconverged(MomentumCase{N: 5, Mu: 0.5, Seed: seed, Inner: 5, WrongZero: true}),
				RBP8Value(MomentumCase{N: 5, Mu: 0.5, Seed: seed, Inner: 5}, -1)}
		},
	})
	claim.Register(claim.Claim{ID: "RBP-9", Paper: "rbp",
		Statement:  "On a graph neural network with a contractive propagation, Neumann-RBP equals TBPTT at the fixed point and converges to the finite-difference gradient.",
		Source:     "Section 4.2 (graph neural networks).",
		Conditions: "h_v <- tanh(W sum_{u in N(v)} h_u / deg + U x_v) with |W|_inf < 1; random graphs (a ring plus chords).",
		Run: func(seed uint64) claim.Outcome {
			return claim.Results(RBP9(GraphCase{Nodes: 6, K: 3, Norm: 0.8, Seed: seed, Steps: 8, Offset: 1})...)
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			return []claim.Result{RBP9Identity(GraphCase{Nodes: 6, K: 3, Norm: 0.8, Seed: seed, Steps: 8, Offset: 0})}
		},
	})
}

// neumannErrors returns, on the canonical problem, the Frobenius norm of Neumann-RBP(K)'s
// gradient error for K = 0 .. kmax, and rho(J): the golden grid's neumann_err and the RBP-3
// figure both come from here.
func neumannErrors(kmax int) ([]float64, float64, error) {
	imp, err := implicitOf(simrbp.CanonicalProblem(), nil)
	if err != nil {
		return nil, 0, err
	}
	rho, err := rbp.SpectralRadius(imp.j)
	if err != nil {
		return nil, 0, err
	}
	errs := make([]float64, kmax+1)
	for k := range errs {
		gk, err := rbp.NeumannPartial(imp.j, imp.b, k)
		if err != nil {
			return nil, 0, err
		}
		floats.Sub(gk, imp.z)
		errs[k] = mat.Norm(imp.gradOf(gk), 2)
	}
	return errs, rho, nil
}

// rbpGolden returns the analytic values of the canonical problem's grid (golden/rbp.json), all
// from theory/rbp: h*, L(h*), dL/dW, rho(J) and the Neumann errors for K = 0 .. 15.
func rbpGolden() ([]claim.Entry, error) {
	p := simrbp.CanonicalProblem()
	imp, err := implicitOf(p, nil)
	if err != nil {
		return nil, err
	}
	var out []claim.Entry
	for i, v := range imp.hStar {
		out = append(out, claim.Entry{Name: "hstar", Args: map[string]float64{"i": float64(i)}, Value: v})
	}
	out = append(out, claim.Entry{Name: "loss", Args: map[string]float64{}, Value: p.Loss(imp.hStar)})
	for i := range 3 {
		for j := range 3 {
			out = append(out, claim.Entry{Name: "grad_W", Args: map[string]float64{"i": float64(i), "j": float64(j)}, Value: imp.gradW.At(i, j)})
		}
	}
	errs, rho, err := neumannErrors(15)
	if err != nil {
		return nil, err
	}
	out = append(out, claim.Entry{Name: "spectral_radius_J", Args: map[string]float64{}, Value: rho})
	for k, e := range errs {
		out = append(out, claim.Entry{Name: "neumann_err", Args: map[string]float64{"K": float64(k)}, Value: e})
	}
	return out, nil
}
