package props

import (
	"github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The command's settings for the RBP claims, and their negative controls.

// rbpJ returns the catalogue-style test matrix for RBP-3..5: eigenvalues rho, rho/2, -rho/3, ...
// on n = 6, and b = (1, -1, 1, ...).
func rbpJ(rho float64, seed uint64) (*mat.Dense, []float64) {
	eigs := []float64{rho, rho / 2, -rho / 3, rho / 4, -rho / 5, 0.1 * rho}
	j, _ := SpectrumMatrix(eigs, seed)
	b := []float64{1, -1, 1, -1, 1, -1}
	return j, b
}

// WrongNormJ is a matrix on which the Neumann bound with the norm of J instead of J^T fails in
// the 1-norm: J has a first row of beta (|J|_1 = beta, |J^T|_1 = m beta), and b = e_0.
func WrongNormJ(m int, beta float64) (*mat.Dense, []float64) {
	j := mat.NewDense(m, m, nil)
	for c := range m {
		j.Set(0, c, beta)
	}
	b := make([]float64, m)
	b[0] = 1
	return j, b
}

func init() {
	Register(Claim{ID: "RBP-1", Paper: "rbp",
		Statement: "implicit gradient (I-J^T)^-1 b = finite differences; linear closed form",
		Run: func(seed uint64) []Result {
			out := []Result{RBP1(CanonicalProblem(), nil)}
			if p, err := NewTanhProblem(8, 0.9, seed); err == nil {
				out = append(out, RBP1(p, nil))
			}
			a, _ := SpectrumMatrix([]float64{0.6, -0.3, 0.2, 0.1}, seed)
			return append(out, RBP1Linear(a, []float64{1, 2, -1, 0.5}, []float64{0.3, -0.2, 0.1, 0})...)
		},
		Control: func(uint64) []Result { return []Result{RBP1(CanonicalProblem(), WrongAdjointTranspose)} },
	})
	Register(Claim{ID: "RBP-2", Paper: "rbp",
		Statement: "Neumann-RBP(K) = TBPTT(K+1) at h*; both -> implicit; BPTT gap geometric",
		Run: func(seed uint64) []Result {
			p, _ := NewTanhProblem(10, 0.8, seed)
			var out []Result
			for _, k := range []int{0, 1, 5, 20} {
				out = append(out, RBP2(CanonicalProblem(), k, 1), RBP2(p, k, 1))
			}
			return append(out, RBP2Limits(CanonicalProblem())...)
		},
		Control: func(uint64) []Result {
			return []Result{RBP2(CanonicalProblem(), 5, 0), RBP2Unconverged(CanonicalProblem(), 3)}
		},
	})
	Register(Claim{ID: "RBP-3", Paper: "rbp",
		Statement: "z - g_K = (J^T)^(K+1) z; bound in |J^T|; rate -> rho(J)",
		Run: func(seed uint64) []Result {
			j, b := rbpJ(0.7, seed)
			out := []Result{RBP3Identity(j, b, 0), RBP3Identity(j, b, 10), RBP3Rate(j, b, 20, 60)}
			for p, norm := range TransposeNorms() {
				if norm(j) < 1 {
					out = append(out, RBP3Bound(j, b, 5, p, norm))
				}
			}
			wj, wb := WrongNormJ(4, 0.2)
			return append(out, RBP3Bound(wj, wb, 3, "1", TransposeNorms()["1"]))
		},
		Control: func(uint64) []Result {
			j, b := WrongNormJ(4, 0.2)
			return []Result{RBP3Bound(j, b, 3, "1", func(a mat.Matrix) float64 { return mat.Norm(a, 1) })}
		},
	})
	Register(Claim{ID: "RBP-4", Paper: "rbp",
		Statement: "original RBP z_k = g_(k-1) + (J^T)^k z0; unstable for rho > 1, CG is not",
		Run: func(seed uint64) []Result {
			j, b := rbpJ(0.7, seed)
			z0 := []float64{0.5, 0.2, -0.1, 0.3, 0, 1}
			out := []Result{RBP4Identity(j, b, make([]float64, 6), 7, 0), RBP4Identity(j, b, b, 7, 0), RBP4Identity(j, b, z0, 7, 0)}
			ju, bu := rbpJ(1.5, seed)
			return append(out, RBP4Unstable(ju, bu, 60)...)
		},
		Control: func(seed uint64) []Result {
			j, b := rbpJ(0.7, seed)
			return []Result{RBP4Identity(j, b, make([]float64, 6), 7, 1)}
		},
	})
	Register(Claim{ID: "RBP-5", Paper: "rbp",
		Statement: "CG-RBP = direct adjoint; damping O(eta); cond squared",
		Run: func(seed uint64) []Result {
			j, b := rbpJ(0.7, seed)
			ju, bu := rbpJ(1.5, seed)
			return append(RBP5(j, b), RBP5(ju, bu)...)
		},
		Control: func(seed uint64) []Result {
			j, b := rbpJ(0.7, seed)
			return []Result{RBP5DampedExact(j, b)}
		},
	})
	Register(Claim{ID: "RBP-6", Paper: "rbp",
		Statement: "Neumann-RBP memory flat in K; TBPTT linear",
		Run:       func(uint64) []Result { return RBP6(50, false) },
		Control:   func(uint64) []Result { return RBP6(50, true)[1:] },
	})
	Register(Claim{ID: "RBP-7", Paper: "rbp",
		Statement: "Hopfield: converges, energy non-increasing, JVP and RBP gradient = finite differences",
		Run: func(seed uint64) []Result {
			out := RBP7(HopfieldCase{N: 8, Scale: 0.5, Eps: 0.05, Beta: 0.5, Seed: seed}, nil)
			// The authors' code runs eps = 1, beta = 0.5.
			return append(out, RBP7(HopfieldCase{N: 8, Scale: 0.5, Eps: 1, Beta: 0.5, Seed: seed + 1}, nil)...)
		},
		Control: func(seed uint64) []Result {
			c := HopfieldCase{N: 8, Scale: 0.5, Eps: 0.05, Beta: 0.5, Seed: seed}
			c.draw()
			return []Result{RBP7(c, WrongHopfieldJVP(&c))[1]}
		},
	})
	Register(Claim{ID: "RBP-8", Paper: "rbp",
		Statement: "momentum SGD: fixed point (H^-1 q, 0); hyper-gradient 0 there, not before",
		Run:       func(seed uint64) []Result { return RBP8(MomentumCase{N: 5, Mu: 0.5, Seed: seed}, 5, false) },
		Control:   func(seed uint64) []Result { return RBP8(MomentumCase{N: 5, Mu: 0.5, Seed: seed}, 5, true)[3:] },
	})
	Register(Claim{ID: "RBP-9", Paper: "rbp",
		Statement: "graph network: Neumann = TBPTT at h*, -> finite differences",
		Run:       func(seed uint64) []Result { return RBP9(GraphCase{Nodes: 6, K: 3, Norm: 0.8, Seed: seed}, 8, 1) },
		Control:   func(seed uint64) []Result { return RBP9(GraphCase{Nodes: 6, K: 3, Norm: 0.8, Seed: seed}, 8, 0) },
	})
}

// RBPGolden returns the analytic values of the canonical problem's grid (shared/spec/rbp.md,
// golden/rbp.json), all from theory/rbp.
func RBPGolden() ([]Entry, error) {
	p := CanonicalProblem()
	imp, err := p.Solve(nil)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for i, v := range imp.HStar {
		out = append(out, Entry{Name: "hstar", Args: map[string]float64{"i": float64(i)}, Value: v})
	}
	out = append(out, Entry{Name: "loss", Args: map[string]float64{}, Value: p.loss(imp.HStar)})
	for i := range 3 {
		for j := range 3 {
			out = append(out, Entry{Name: "grad_W", Args: map[string]float64{"i": float64(i), "j": float64(j)}, Value: imp.GradW.At(i, j)})
		}
	}
	rho, err := rbp.SpectralRadius(imp.J)
	if err != nil {
		return nil, err
	}
	out = append(out, Entry{Name: "spectral_radius_J", Args: map[string]float64{}, Value: rho})
	for k := 0; k <= 15; k++ {
		gk, err := rbp.NeumannPartial(imp.J, imp.B, k)
		if err != nil {
			return nil, err
		}
		floats.Sub(gk, imp.Z)
		out = append(out, Entry{Name: "neumann_err", Args: map[string]float64{"K": float64(k)}, Value: mat.Norm(imp.gradOf(gk), 2)})
	}
	return out, nil
}
