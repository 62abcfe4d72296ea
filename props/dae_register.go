package props

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/dae"
)

// The DAE paper's registrations: the command's settings for DAE-1 .. DAE-9, their negative
// controls, findings and figures, and the golden grid.

// stableRangeFinding is DAE-3's finding: the catalogue's stable step range is too wide with
// weight decay.
const stableRangeFinding = "stable-range"

// stableRangeCase is the finding's smallest case: D = 2, H = 1, lambda = (0.25, 0.2), sigma2 = 1,
// gamma = 0.05, rotated covariance, u0 = 0.01.
func stableRangeCase() FlowCase {
	return FlowCase{Lambda: []float64{0.25, 0.2}, H: 1, Sigma2: 1, Gamma: 0.05, U0: 0.01, Rotated: true, Seed: 1}
}

// stableSeeds is how many perturbed starts the stable-range finding's evidence runs.
const stableSeeds = 200

// stableRangeSeeds runs descent at 0.95/(lambda_1 - gamma) on c from stableSeeds perturbed starts
// (seeds 1..stableSeeds, the covariance rotated for odd seeds) and returns how many were rejected
// (did not converge to u*).
func stableRangeSeeds(c FlowCase) int {
	n := 0
	for s := uint64(1); s <= stableSeeds; s++ {
		c.Seed, c.Rotated = s, s%2 == 1
		if DAE3Converge(c, 0.95, 1/(c.Lambda[0]-c.Gamma)).Rejected() {
			n++
		}
	}
	return n
}

// RequireDataEnv names the environment variable that makes a missing data set a failure instead of
// a skip (.ci/run sets it to 1, so CI cannot pass by skipping the real-data claim).
const RequireDataEnv = "DLT5_REQUIRE_DATA"

// dataRequired reports whether the environment requires the data sets.
func dataRequired() bool { return os.Getenv(RequireDataEnv) == "1" }

// realCase is DAE-9's setting, the catalogue's: 5000 images, 2 x 2 pooling (D = 196), H = 50,
// s = 1e-3, sigma2 = 0.5, alpha lambda_1 = 0.1, the top five modes; tolerances 15% (half-time),
// 2% (final u), 15% (the weight-decay time ratio).
func realCase(seed uint64) RealCase {
	return RealCase{Path: FashionPath, Images: 5000, Pool: 2, H: 50, Modes: 5, S: 1e-3, Sigma2: 0.5, AlphaL1: 0.1, Seed: seed,
		HalfTol: 0.15, FinalTol: 0.02, WDMatch: 0.15}
}

// realRuns caches DAE-9's runs by case: the command's Run and Control share one (about 6 s). The
// runs are deterministic functions of the case, so the cache holds no random state.
var realRuns sync.Map

type realRun struct {
	once sync.Once
	res  RealResult
	err  error
}

// runReal is c.RunReal through the cache; concurrent callers of one case share one run.
func runReal(c RealCase) (RealResult, error) {
	v, _ := realRuns.LoadOrStore(c, &realRun{})
	r := v.(*realRun)
	r.once.Do(func() { r.res, r.err = c.RunReal() })
	return r.res, r.err
}

// realOutcome runs DAE-9 and returns its rows (a SKIP row when the data set is absent and not
// required) and the run.
func realOutcome(c RealCase) ([]claim.Result, *RealResult) {
	res, err := runReal(c)
	if errors.Is(err, fs.ErrNotExist) && !dataRequired() {
		return []claim.Result{claim.Skipped("DAE-9 Fashion-MNIST", fmt.Sprintf("%s not found: install Debian's dataset-fashion-mnist (or set %s=1 to make this a failure)", c.Path, RequireDataEnv))}, nil
	}
	if err != nil {
		return []claim.Result{claim.Failed("DAE-9 Fashion-MNIST", err)}, nil
	}
	return DAE9(c, res), &res
}

// daeFlowCases are DAE-2's command cases: lambda = (2.5, 1, 0.5, 0.1), H = 3, sigma2 = 0.5,
// u0 = 0.001, horizon 20, alpha lambda_1 = 0.04, in the eigenbasis, rotated, rotated with weight
// decay 0.05, and in the summed units over 5000 data.
func daeFlowCases(seed uint64) []FlowCase {
	base := FlowCase{Lambda: []float64{2.5, 1, 0.5, 0.1}, H: 3, Sigma2: 0.5, U0: 0.001, T: 20, Alpha: 0.04 / 2.5, Seed: seed}
	rot := base
	rot.Rotated = true
	wd := rot
	wd.Gamma = 0.05
	sum := wd
	sum.SumN = 5000
	return []FlowCase{base, rot, wd, sum}
}

// WrongUnits is the summed-units closed form with only lambda scaled by n (sigma2 and gamma left
// per datum): the DAE-2 control that the three must be scaled together.
func WrongUnits(n int) func(m dae.Mode, u0, t float64) (float64, error) {
	return func(m dae.Mode, u0, t float64) (float64, error) {
		m.Sigma2 /= float64(n)
		m.Gamma /= float64(n)
		return m.U(u0, t)
	}
}

// daeGrid is the catalogue's reference grid's (lambda, sigma2, gamma).
func daeGrid() []dae.Mode {
	var out []dae.Mode
	for _, l := range []float64{0.1, 0.5, 1, 2.5} {
		for _, s2 := range []float64{0, 0.5, 1} {
			for _, g := range []float64{0, 0.05} {
				out = append(out, dae.Mode{Lambda: l, Sigma2: s2, Gamma: g})
			}
		}
	}
	return out
}

// daeSGDCase is DAE-8's command case: lambda = (2, 1, 0.5), H = 3, 64 data, 64 antithetic pairs of
// noise streams (128 streams, e and -e; each sample is a pair's mean), sigma2 = 0.5, u0 = 0.01,
// alpha = 0.01, read at t = 1, 2, 4, 8.
func daeSGDCase(seed uint64) SGDCase {
	return SGDCase{Lambda: []float64{2, 1, 0.5}, H: 3, N: 64, Runs: 64, Sigma2: 0.5, U0: 0.01, Alpha: 0.01, Times: []float64{1, 2, 4, 8}, Seed: seed}
}

func init() {
	claim.RegisterPaper(claim.Paper{Key: "dae", Prefix: "DAE",
		Citation: "Pretorius, Kroon, Kamper, \"Learning Dynamics of Linear Denoising Autoencoders\", ICML 2018",
		Summary: "The exact learning dynamics of a linear autoencoder trained on noise-corrupted inputs: each eigen-direction of the input covariance " +
			"follows u(t) = a e^{2at} / (b (e^{2at} - 1) + a/u0), a = lambda - gamma, b = lambda + sigma2; noise shrinks the fixed point like " +
			"weight decay but keeps the rate 2 lambda, so it trains faster."})
	claim.Register(claim.Claim{ID: "DAE-1", Paper: "dae",
		Statement:  "The Monte-Carlo average over sampled noise of |x - W(x + e)|^2 and of its gradient equals |x - W x|^2 + sigma2 |W|_F^2 and its gradient -2 (x - W x) x^T + 2 sigma2 W, within the statistical bound.",
		Source:     "Section 2 (the noise-averaged loss; the cross term has mean zero).",
		Conditions: "Random W (entries N(0, 1/D)), x (N(0, 1)), sigma2 > 0; antithetic noise pairs (and single draws, which keep the cross term); the gradient along W (I + A A^T), A random; the sample sized by a pilot for a detectable error of 4% at the command's settings, 8% in go test, and to at least 16,255 samples, where the normal approximation holds at the budget's z for any skewness up to sqrt(8), the largest of a quadratic form in Gaussian noise (the gate takes that bound, not the sample skewness).",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for i, d := range []int{4, 8} {
				for j, s2 := range []float64{0.1, 1} {
					o.Add(DAE1(NoiseCase{D: d, Sigma2: s2, Seed: seed + uint64(10*i+j), Factor: 1, Target: daeNoiseTarget, MaxPairs: 4000000})...)
				}
			}
			// Single draws: the cross term's zero mean in the sample too.
			o.Add(DAE1(NoiseCase{D: 4, Sigma2: 1, Seed: seed + 99, Factor: 1, Single: true, Target: daeNoiseTarget, MaxPairs: 4000000})...)
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			c := NoiseCase{D: 4, Sigma2: 1, Seed: seed, Factor: 1, Target: daeNoiseTarget, MaxPairs: 4000000}
			wrong := c
			wrong.Factor = 0.9 // the noise term off by 10%
			out := DAE1(wrong)
			for k, row := range DAE1(c) {
				out = append(out, claim.Power(row, func(f float64) claim.Result {
					fc := c // the same W and x, fresh noise
					fc.Fresh, fc.PowerFraction = seed+freshSeed, f
					return DAE1(fc)[k]
				}))
			}
			return out
		},
	})
	claim.Register(claim.Claim{ID: "DAE-2", Paper: "dae",
		Statement:  "Full-matrix gradient descent from the decoupled balanced start follows u_i(t) for every mode with an O(alpha) error: the largest error at alpha is 10 times that at alpha/10 (within 5%), with and without weight decay, in the eigenbasis and with a rotated covariance, in the mean-over-data units and in the authors' summed units (lambda, sigma2, gamma times n, tau = n/alpha).",
		Source:     "Section 3 (the per-mode solution), Eq. for u(t); the unit conventions from the authors' code (catalogue, Setting).",
		Conditions: "Eigenvalues decreasing, the start on the top H modes (elsewhere it is a saddle), horizon 8-20; alpha lambda_1 = 0.04 in the command's cases (where every mode saturates early: ratio 10.01) and 0.01 in drawn cases: when the horizon ends while a mode still grows exponentially, the ratio's second-order part is about 0.45 y with y = 2 a^2 alpha t (5.3% at alpha lambda_1 = 0.04, lambda_1 = 0.27, u0 = 1e-3; at most 1.3% at 0.01 over a grid).",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for _, c := range daeFlowCases(seed) {
				r, _ := DAE2(c)
				o.Add(r)
			}
			o.AddFigure(curvesFigure(daeFlowCases(seed)[1]))
			o.AddFigure(tfFigure())
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			cs := daeFlowCases(seed)
			wrong := cs[0]
			wrong.Formula = SlowRate
			units := cs[3]
			units.Formula = WrongUnits(units.SumN)
			r1, _ := DAE2(wrong)
			r2, _ := DAE2(units)
			return []claim.Result{r1, r2}
		},
	})
	claim.Register(claim.Claim{ID: "DAE-3", Paper: "dae",
		Statement:  "Gradient descent converges to u* on every mode for every step alpha < 1/lambda_1, a sufficient stable step (the Hessian's largest eigenvalue at the minimum is 2 (lambda_1 - gamma) without weight decay, as the catalogue says, and at most 2 lambda_1 with it); from a small random start W2 W1 converges to sum_{i <= H} u*_i v_i v_i^T over the top-H eigen-directions.",
		Source:     "Section 3 (fixed points); the stable range alpha < 1/(lambda_1 - gamma) is the catalogue's derivation, corrected here.",
		Conditions: "Decoupled start on the top H modes, perturbed by 1e-8 in every weight (so that directions across modes are excited); a gap lambda_H > lambda_{H+1} for the random start; modes with lambda = gamma exactly (algebraic decay) excluded.",
		Findings: []claim.Finding{{Name: stableRangeFinding,
			Says: "With weight decay the catalogue's stable range alpha < 1/(lambda_1 - gamma) can be too wide: the Hessian at the minimum couples a trained hidden unit with an untrained eigen-direction j (a 2x2 block [[(lambda_j + sigma2) u*_1 + gamma, -lambda_j], [-lambda_j, lambda_1]]) whose largest eigenvalue can exceed 2 (lambda_1 - gamma), up to 2 lambda_1 as lambda_j approaches lambda_1. The true limit 2/lambda_max lies between 1/lambda_1 and 1/(lambda_1 - gamma). Smallest case: D = 2, H = 1, lambda = (0.25, 0.2), sigma2 = 1, gamma = 0.05: largest eigenvalue 0.446 against 2 (lambda_1 - gamma) = 0.4, and descent at 0.95/(lambda_1 - gamma) from a perturbed start diverges (every one of 200 seeds, rotated or not). Without weight decay the catalogue's bound is exact (2 lambda_1, checked)."}},
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for _, g := range []float64{0, 0.05} {
				c := FlowCase{Lambda: []float64{2.5, 1, 0.5, 0.1}, H: 3, Sigma2: 0.5, Gamma: g, U0: 0.001, Rotated: true, Seed: seed}
				for _, f := range []float64{0.1, 0.5, 0.95} {
					o.Add(DAE3Converge(c, f, 1/c.Lambda[0]))
				}
				rows := DAE3Hessian(c)
				if g == 0 {
					o.Add(rows...)
				} else {
					o.Add(claim.Select(rows, "<= 2 lambda_1")...)
				}
			}
			o.Add(DAE3Subspace(SubspaceCase{Lambda: []float64{3, 2, 1.5, 0.3, 0.2, 0.1}, H: 3, Sigma2: 0.5, Gamma: 0.05, S: 0.01, Alpha: 0.05, T: 60, Seed: seed}))
			fc := stableRangeCase()
			h := claim.Only(claim.Select(DAE3Hessian(fc), "= 2 (lambda_1 - gamma)"))
			div := DAE3Converge(fc, 0.95, 1/(fc.Lambda[0]-fc.Gamma))
			diverged := stableRangeSeeds(fc)
			o.Evidence = append(o.Evidence, claim.Evidence{Finding: stableRangeFinding, Confirmed: h.Rejected() && div.Rejected() && diverged == stableSeeds,
				Detail: fmt.Sprintf("%s: %s | %s: %s | diverged from %d of %d perturbed starts (seeds 1..%d, rotated for odd seeds)",
					h.Case, h.Detail, div.Case, div.Detail, diverged, stableSeeds, stableSeeds)})
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			c := FlowCase{Lambda: []float64{2.5, 1, 0.5, 0.1}, H: 3, Sigma2: 0.5, U0: 0.001, Rotated: true, Seed: seed}
			return []claim.Result{DAE3Converge(c, 1.1, 1/c.Lambda[0]),
				DAE3Subspace(SubspaceCase{Lambda: []float64{3, 2, 1.5, 0.3, 0.2, 0.1}, H: 3, Sigma2: 0.5, Gamma: 0.05, S: 0.01, Alpha: 0.05, T: 60, Seed: seed, Bottom: true})}
		},
	})
	claim.Register(claim.Claim{ID: "DAE-4", Paper: "dae",
		Statement:  "With the matched weight decay gamma = lambda sigma2/(lambda + sigma2) the fixed points are equal, t_f(WD)/t_f(DAE) = 1 + sigma2/lambda for every f, u_WD(t) = u_DAE(t lambda/(lambda + sigma2)), and u_DAE >= u_WD pointwise, in closed form (to 1e-10) and in gradient descent (the time ratio to O(alpha)).",
		Source:     "Section 4 (noise versus weight decay); the identities are derived by the suite.",
		Conditions: "u0 < f u*; one mode matched (one gamma matches one eigenvalue).",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for _, l := range []float64{0.1, 0.5, 1, 2.5} {
				for _, s2 := range []float64{0.5, 1} {
					for _, f := range []float64{0.5, 0.9} {
						o.Add(DAE4Identities(l, s2, 0.001, f, 5, nil)...)
					}
				}
			}
			for _, p := range [][2]float64{{1, 0.5}, {2.5, 1}} {
				o.Add(DAE4Sim(MatchedCase{Lambda: p[0], Sigma2: p[1], U0: 0.01, T: 12, Alpha: 0.02 / p[0], Seed: seed})...)
			}
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			// The time ratio with lambda and sigma2 swapped, and off by 1%.
			sim := claim.Select(DAE4Sim(MatchedCase{Lambda: 1, Sigma2: 0.5, U0: 0.01, T: 12, Alpha: 0.02, Seed: seed, Ratio: SwappedRatio}), "error ratio")
			sim = append(sim, claim.Select(DAE4Sim(MatchedCase{Lambda: 1, Sigma2: 0.5, U0: 0.01, T: 12, Alpha: 0.02, Seed: seed, Ratio: ratioOff(1.01)}), "error ratio")...)
			return append(sim, claim.Select(DAE4Identities(2.5, 0.5, 0.001, 0.9, 5, NearRatio), "t_f ratio")...)
		},
	})
	claim.Register(claim.Claim{ID: "DAE-5", Paper: "dae",
		Statement:  "u* <= 1/2 exactly when lambda <= sigma2 + 2 gamma; from u0 < lambda/sigma2 a mode stays below lambda/sigma2; noise never removes a mode (u* > 0 for lambda > 0), weight decay removes every mode with lambda <= gamma.",
		Source:     "Section 4 (low-variance directions).",
		Conditions: "The catalogue's grid and a wider one (lambda, sigma2 in [0, 5], gamma in [0, 3]).",
		Run: func(uint64) claim.Outcome {
			var o claim.Outcome
			for _, m := range daeGrid() {
				o.Add(DAE5(m, 0.001, []float64{0, 1, 2, 5, 10, 20, 50, 100}, nil)...)
			}
			return o
		},
		Control: func(uint64, claim.Size) []claim.Result {
			return claim.Select(DAE5(dae.Mode{Lambda: 1, Sigma2: 0.5, Gamma: 0.3}, 0.01, nil, func(m dae.Mode) bool { return m.Lambda <= m.Sigma2 }), "iff the condition")
		},
	})
	claim.Register(claim.Claim{ID: "DAE-6", Paper: "dae",
		Statement:  "For u0 <= 0.1 f u*, t_f decreases in lambda and increases in gamma; u* decreases in sigma2 and in gamma.",
		Source:     "Section 4; the monotonicity of t_f is derived by the suite.",
		Conditions: "u0 <= 0.1 f u* (both monotonicities fail for large u0, from about 0.37 f u*).",
		Run: func(uint64) claim.Outcome {
			var o claim.Outcome
			for _, m := range daeGrid() {
				if m.Lambda > m.Gamma {
					for _, f := range []float64{0.5, 0.9} {
						o.Add(DAE6(m, f, 0.1, 1e-3)...)
					}
				}
			}
			return o
		},
		Control: func(uint64, claim.Size) []claim.Result {
			return claim.Select(DAE6(dae.Mode{Lambda: 1, Sigma2: 1}, 0.5, 0.9, 1e-3), "t_f decreases in lambda")
		},
	})
	claim.Register(claim.Claim{ID: "DAE-7", Paper: "dae",
		Statement:  "W1 W1^T - W2^T W2 is conserved by the noise-only flow and decays as e^{-2 gamma t} under weight decay; gradient descent deviates by O(alpha): its one-step identity Q' = (1 - alpha gamma)^2 Q + alpha^2 (g1 g1^T - g2^T g2) holds to 1e-13 of |W1 W1^T| + |W2^T W2| + alpha^2 |g1 g1^T - g2^T g2| and bounds the deviation by a sum of norms that is O(alpha).",
		Source:     "Section 3 (the balanced start and its invariant).",
		Conditions: "A small random (unbalanced) start, rotated covariance, alpha lambda_1 = 0.01; the sum is O(alpha) when its first-order part, 4 b(alpha/2) - b(alpha) by Richardson, halves with alpha within 5% (the raw ratio b(alpha)/b(alpha/10) carries a second-order part up to about 9 alpha lambda_1: 9.09 against 10 on a soak seed).",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			for _, g := range []float64{0, 0.1} {
				o.Add(DAE7(InvariantCase{Lambda: []float64{2.5, 1, 0.5, 0.1}, H: 3, Sigma2: 0.5, Gamma: g, S: 0.3, Alpha: 0.004, T: 2, Seed: seed})...)
			}
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			// e^{-gamma t} for e^{-2 gamma t} (the 2 dropped), the rate 2% low, and the one-step
			// identity's shrink (1 - alpha gamma)^2 with its square dropped, and M_k from the
			// gradients with the weight-decay term left in (second order: alpha^2 gamma^2 |Q|).
			c := InvariantCase{Lambda: []float64{2.5, 1, 0.5, 0.1}, H: 3, Sigma2: 0.5, Gamma: 0.1, S: 0.3, Alpha: 0.004, T: 2, Seed: seed, Decay: 0.1}
			out := claim.Select(DAE7(c), "within the O(alpha) bound")
			c.Decay = 0.98 * 2 * c.Gamma
			out = append(out, claim.Select(DAE7(c), "within the O(alpha) bound")...)
			c.Decay, c.Linear = 0, true
			out = append(out, claim.Select(DAE7(c), "one-step identity")...)
			c.Linear, c.Raw = false, true
			return append(out, claim.Select(DAE7(c), "one-step identity")...)
		},
	})
	claim.Register(claim.Claim{ID: "DAE-8", Paper: "dae",
		Statement:  "Gradient descent with the noise sampled each step (not marginalised) tracks u(t) in the mean over noise streams within t SE + C alpha, C alpha being full-batch gradient descent's own error at the same step.",
		Source:     "Section 5 (simulations with sampled noise).",
		Conditions: "Data of exact covariance diag(lambda), decoupled start, alpha lambda_1 = 0.02, 64 antithetic pairs of noise streams (128 streams; each sample is a pair's mean).",
		Run: func(seed uint64) claim.Outcome {
			return claim.Results(DAE8(daeSGDCase(seed))...)
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			// The last time's weakest mode, where the noise matters most.
			c := daeSGDCase(seed)
			last := fmt.Sprintf("mode %d t=%.3g", c.H-1, c.Times[len(c.Times)-1])
			c.Formula = NoiseFree
			out := claim.Select(DAE8(c), last)
			c.Formula = noiseOff(1.1) // the noise variance off by 10% (a std for a variance, near 1)
			out = append(out, claim.Select(DAE8(c), last)...)
			base := claim.Only(claim.Select(DAE8(daeSGDCase(seed)), last))
			return append(out, claim.Power(base, func(f float64) claim.Result {
				fc := daeSGDCase(seed + freshSeed)
				fc.Factor = f
				return claim.Only(claim.Select(DAE8(fc), last))
			}))
		},
	})
	claim.Register(claim.Claim{ID: "DAE-9", Paper: "dae", Seconds: 7,
		Statement:  "On Fashion-MNIST, full-batch gradient descent from a small random start makes each of the top five modes (v_i^T W2 W1 v_i) reach half its fixed point within 15% of the closed form's time at the effective u0 = |W1 + W2^T|_F^2/(4D), and end within 2% of u*_i; weight decay matched on mode 5 takes 1 + sigma2/lambda_5 times as long (within 15%).",
		Source:     "Section 5 (MNIST and CIFAR-10 experiments); the effective u0 is the catalogue's.",
		Conditions: "The first 5000 training images, 2 x 2 average pooling (D = 196), uncentred covariance, H = 50, start N(0, 1e-6), sigma2 = 0.5, alpha lambda_1 = 0.1, descent in the covariance's eigenbasis (an exact change of variables, tested in numeric/dae). SKIP when the data set is absent, FAIL then if " + RequireDataEnv + "=1.",
		Run: func(seed uint64) claim.Outcome {
			var o claim.Outcome
			rows, res := realOutcome(realCase(seed))
			o.Add(rows...)
			if res != nil {
				o.AddFigure(realFigure(realCase(seed), *res))
			}
			return o
		},
		Control: func(seed uint64, size claim.Size) []claim.Result {
			// The authors' choice of u0, the mean of the top singular values of W2 W1, stands in
			// for the effective one (the catalogue: 2-10x off).
			c := realCase(seed)
			res, err := runReal(c)
			if errors.Is(err, fs.ErrNotExist) && !dataRequired() {
				return []claim.Result{claim.Skipped("DAE-9 control", "Fashion-MNIST not installed")}
			}
			if err != nil {
				return []claim.Result{claim.Failed("DAE-9 control", err)}
			}
			wrong := res
			wrong.HalfClosed = nil
			for i := range res.Half {
				m := dae.Mode{Lambda: res.Lambda[i], Sigma2: c.Sigma2}
				t, err := m.TFrac(res.U0Authors, 0.5)
				if err != nil {
					return []claim.Result{claim.Failed("DAE-9 control", err)}
				}
				wrong.HalfClosed = append(wrong.HalfClosed, t)
			}
			out := authorsControl(c, wrong)
			// The noise forgotten in the fixed point (u* = 1 - gamma/lambda = 1), and no slowdown
			// under the matched weight decay (ratio 1): the final-u and ratio rows reject them.
			forgot := res
			forgot.UStar = make([]float64, len(res.UStar))
			for i := range forgot.UStar {
				forgot.UStar[i] = 1
			}
			forgot.RatioTh = 1
			rows := DAE9(c, forgot)
			return append(out, claim.One(rows, fmt.Sprintf("mode %d final u", len(forgot.UStar))), claim.One(rows, "weight decay matched"))
		},
	})
}

// authorsControl returns DAE-9's half-time rows of every compared mode computed at the authors'
// u0 (wrong.HalfClosed replaced): the control. (The authors' other choice, the median of the
// positive u_i(0), is 7x below the effective u0 and moves the half-times by 13-17% against the
// closed form's: too close to the 15% criterion to be a reliable control.)
func authorsControl(c RealCase, wrong RealResult) []claim.Result {
	rows := DAE9(c, wrong)
	var out []claim.Result
	for i := range wrong.Half {
		r := rows[2*i]
		r.Case += fmt.Sprintf(" at the authors' u0 = mean top singular value of W2 W1 = %.3g", wrong.U0Authors)
		out = append(out, r)
	}
	return out
}

// daeGolden returns the analytic values of the catalogue's reference grid (golden/dae.json).
func daeGolden() ([]claim.Entry, error) {
	var out []claim.Entry
	for _, m := range daeGrid() {
		mode := map[string]float64{"lambda": m.Lambda, "sigma2": m.Sigma2, "gamma": m.Gamma}
		us, err := m.UStar()
		if err != nil {
			return nil, err
		}
		out = append(out, claim.Entry{Name: "ustar", Args: mode, Value: us})
		for _, t := range []float64{0, 1, 2, 5, 10, 20, 50, 100} {
			u, err := m.U(0.001, t)
			if err != nil {
				return nil, err
			}
			out = append(out, claim.Entry{Name: "u", Args: with(mode, "u0", 0.001, "t", t), Value: u})
		}
		if m.Lambda > m.Gamma {
			for _, f := range []float64{0.5, 0.9} {
				tf, err := m.TFrac(0.001, f)
				if err != nil {
					return nil, err
				}
				out = append(out, claim.Entry{Name: "t_frac", Args: with(mode, "u0", 0.001, "f", f), Value: tf})
			}
		}
	}
	return out, nil
}

// with returns a copy of args with two more keys.
func with(args map[string]float64, k1 string, v1 float64, k2 string, v2 float64) map[string]float64 {
	out := map[string]float64{k1: v1, k2: v2}
	for k, v := range args {
		out[k] = v
	}
	return out
}
