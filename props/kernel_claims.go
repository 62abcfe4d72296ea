package props

import (
	"math"
	"math/rand/v2"

	simkernel "github.com/dlt5/verify/numeric/kernel"
	"github.com/dlt5/verify/numeric/orthogonal"
	"github.com/dlt5/verify/numeric/weights"
	"github.com/dlt5/verify/theory/kernel"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The command's settings for the KER claims, and their negative controls. The wrong variants
// below are deliberately wrong formulas: each is what a plausible slip would compute.

// WrongKernelTheta is k(x, y) with (pi - theta) replaced by theta in kappa (catalogue KER-1
// control): s2 |x||y| [(1-a)^2/(2 pi) (sin theta + theta cos theta) + a cos theta].
func WrongKernelTheta(x, y []float64, m2, a float64) (float64, error) {
	if _, err := kernel.Kernel(x, y, m2, a); err != nil { // validates the arguments
		return 0, err
	}
	nx, ny := floats.Norm(x, 2), floats.Norm(y, 2)
	if nx == 0 || ny == 0 {
		return 0, nil
	}
	th, err := kernel.Angle(x, y)
	if err != nil {
		return 0, err
	}
	s, c := math.Sincos(th)
	return m2 / float64(len(x)) * nx * ny * ((1-a)*(1-a)/(2*math.Pi)*(s+th*c) + a*c), nil
}

// WrongKappaConstant is kappa with 1/pi in place of 1/(2 pi).
func WrongKappaConstant(theta, a float64) (float64, error) {
	k, err := kernel.Kappa(theta, a)
	if err != nil {
		return 0, err
	}
	s, c := math.Sincos(theta)
	return k + (1-a)*(1-a)/(2*math.Pi)*(s+(math.Pi-theta)*c), nil
}

// WrongDepthConstant is C with 2 pi in place of 3 pi.
func WrongDepthConstant(a float64) (float64, error) {
	c, err := kernel.DepthConstant(a)
	return c * 2 / 3, err
}

// RademacherKernel is the exact kernel of i.i.d. +-sqrt(m2/d) weights (enumeration): a kernel that
// is not rotation invariant, the negative control of KER-3's rotation check.
func RademacherKernel(x, y []float64, m2, a float64) (float64, error) {
	k, err := simkernel.RademacherExact(a, x, y)
	return k * m2 / float64(len(x)), err
}

// seededInputs returns two inputs in R^d drawn from PCG(seed, 1).
func seededInputs(d int, seed uint64) (x, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x, y = make([]float64, d), make([]float64, d)
	for i := range x {
		x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	return x, y
}

// nearlyParallel returns y = x + eps * z for a seeded z (sign -1: nearly antiparallel).
func nearlyParallel(x []float64, eps, sign float64, seed uint64) []float64 {
	_, z := seededInputs(len(x), seed)
	y := make([]float64, len(x))
	for i := range x {
		y[i] = sign*x[i] + eps*z[i]
	}
	return y
}

const kerN = 400000 // Monte-Carlo weight vectors per KER comparison at the command's settings

func kerInvarianceCases(seed uint64) []Invariance {
	x2, y2 := seededInputs(2, seed)
	x10, y10 := seededInputs(10, seed+1)
	x100, y100 := seededInputs(100, seed+2)
	x20, _ := seededInputs(20, seed+3)
	x3, _ := seededInputs(3, seed+4)
	x4, y4 := seededInputs(4, seed+5)
	return []Invariance{
		{Law: weights.Gaussian{Scale: 1}, A: 0, X: x2, Y: y2},
		{Law: weights.StudentT{Nu: 40, Scale: 0.7}, A: 0.2, X: x10, Y: y10},
		{Law: weights.Sphere{Radius: 3}, A: 0, X: x100, Y: y100},
		{Law: weights.GaussMixture{Scale: 1, Low: 0.2, P: 0.5}, A: 0.01, X: x20, Y: nearlyParallel(x20, 1e-6, 1, seed)},
		{Law: weights.Sphere{Radius: 1}, A: 0.5, X: x3, Y: nearlyParallel(x3, 1e-6, -1, seed)},
		{Law: weights.StudentT{Nu: 5, Scale: 1}, A: 0, X: x4, Y: y4, N: 4 * kerN},
	}
}

func init() {
	Register(Claim{ID: "KER-1", Paper: "kernel",
		Statement: "MC kernel of rotationally invariant laws = s2|x||y|kappa_a(theta)",
		Run: func(seed uint64) []Result {
			var out []Result
			for i, c := range kerInvarianceCases(seed) {
				c.Seed = seed + uint64(i)
				c.N = max(c.N, kerN)
				out = append(out, KER1(c))
			}
			return out
		},
		Control: func(seed uint64) []Result {
			e1, e2 := DominantInputs(2)
			u1, u2 := DominantInputs(3)
			x, _ := seededInputs(6, seed)
			return []Result{
				KER1(Invariance{Law: weights.Rademacher{Scale: 1}, X: e1, Y: e2, N: kerN, Seed: seed}),
				KER1(Invariance{Law: weights.Uniform{Scale: 1}, X: u1, Y: u2, N: kerN, Seed: seed}),
				KER1(Invariance{Law: weights.Gaussian{Scale: 1}, X: x, Y: nearlyParallel(x, 0.3, 1, seed), N: kerN, Seed: seed, Formula: WrongKernelTheta}),
			}
		},
	})
	Register(Claim{ID: "KER-2", Paper: "kernel",
		Statement: "only E|w|^2 matters; k scales as c^2; closed form = quadrature",
		Run: func(seed uint64) []Result {
			x5, y5 := seededInputs(5, seed)
			x12, y12 := seededInputs(12, seed+1)
			out := KER2(SecondMomentOnly{LawA: weights.Gaussian{Scale: 0.5}, LawB: weights.Sphere{Radius: 0.5 * math.Sqrt(5)},
				X: x5, Y: y5, N: kerN, C: 3, Seed: seed})
			out = append(out, KER2(SecondMomentOnly{LawA: weights.StudentT{Nu: 50, Scale: 2}, LawB: weights.GaussMixture{Scale: 2, Low: 0.1, P: 0.7},
				A: 0.3, X: x12, Y: y12, N: kerN, C: 0.25, Seed: seed + 2})...)
			for _, a := range []float64{0, 0.2, 0.5, 1} {
				for j := 0; j <= 12; j += 3 {
					out = append(out, KER2Quadrature(float64(j)*math.Pi/12, a, nil))
				}
			}
			return out
		},
		Control: func(seed uint64) []Result {
			x, y := seededInputs(5, seed)
			r := KER2(SecondMomentOnly{LawA: weights.Gaussian{Scale: 1}, LawB: weights.Sphere{Radius: 1.2 * math.Sqrt(5)},
				X: x, Y: y, N: kerN, C: 2, Seed: seed})
			return []Result{r[2], KER2Quadrature(math.Pi/3, 0, WrongKappaConstant)}
		},
	})
	Register(Claim{ID: "KER-3", Paper: "kernel",
		Statement: "k symmetric, rotation invariant, homogeneous, PSD (also deep)",
		Run: func(seed uint64) []Result {
			return KER3(ker3Case(seed, nil))
		},
		Control: func(seed uint64) []Result {
			wrong := ker3Case(seed, WrongKernelTheta)
			wrong.Points[1] = make([]float64, 5)
			for i, v := range wrong.Points[0] {
				wrong.Points[1][i] = -v
			}
			rad := ker3Case(seed, RademacherKernel)
			rad.Points = [][]float64{{1, 0, 0, 0, 0}, {0, 1, 0, 0, 0}}
			s := math.Sqrt2 / 2
			rad.Q = mat.NewDense(5, 5, []float64{s, -s, 0, 0, 0, s, s, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1})
			return []Result{KER3(wrong)[3], KER3(rad)[1]}
		},
	})
	Register(Claim{ID: "KER-4", Paper: "kernel",
		Statement: "i.i.d. laws approach the Gaussian kernel as d grows (CLT)",
		Run: func(seed uint64) []Result {
			var out []Result
			for i, law := range []weights.Law{weights.Uniform{Scale: 1}, weights.Laplace{Scale: 1}, weights.CentredExp{Scale: 1}} {
				out = append(out, KER4(CLT{Law: law, D: 2, N: 2 * kerN, Seed: seed + uint64(10*i)})...)
			}
			out = append(out, KER4Exact(0, 2, CLTInputs), KER4Exact(0, 4, CLTInputs), KER4Exact(0.2, 4, CLTInputs))
			return append(out, KER4Slope(0, []int{4, 6, 8, 10, 12, 14, 16}, CLTInputs))
		},
		Control: func(seed uint64) []Result {
			return []Result{
				KER4(CLT{Law: weights.Laplace{Scale: 1}, D: 2, N: 2 * kerN, Seed: seed, Inputs: DominantInputs})[0],
				KER4Exact(0, 4, DominantInputs),
				KER4Diagonal(weights.CentredExp{Scale: 1}, 0, DominantInputs, 2, kerN, seed),
			}
		},
	})
	Register(Claim{ID: "KER-5", Paper: "kernel",
		Statement: "deep map: rho_l -> 1, l*theta_l -> 3pi(1+a^2)/(1-a)^2; wide nets track it",
		Run: func(seed uint64) []Result {
			var out []Result
			for _, a := range []float64{0, 0.2} {
				for _, t0 := range []float64{math.Pi / 4, math.Pi / 2, 3 * math.Pi / 4} {
					out = append(out, KER5Map(t0, a, nil)...)
				}
			}
			for i, law := range []weights.Law{weights.Gaussian{Scale: 1}, weights.Sphere{Radius: 1}} {
				out = append(out, KER5Network(ker5Net(law, seed+uint64(i), nil))...)
			}
			return out
		},
		Control: func(seed uint64) []Result {
			offByOne := func(l int) (float64, error) { return kernel.DepthCos(math.Pi/2, 0, l-1) }
			net := KER5Network(ker5Net(weights.Gaussian{Scale: 1}, seed, offByOne))
			return []Result{KER5Map(math.Pi/2, 0, WrongDepthConstant)[1], net[len(net)-1]}
		},
	})
	Register(Claim{ID: "KER-6", Paper: "kernel",
		Statement: "E|w|^2 = 2/(1+a^2) preserves the mean squared activation",
		Run: func(seed uint64) []Result {
			x, _ := seededInputs(8, seed)
			var out []Result
			out = append(out,
				KER6(ker6Case(weights.Gaussian{Scale: 1}, 0, 1, x, seed, nil)),
				KER6(ker6Case(weights.Sphere{Radius: 1}, 0.3, 1, x, seed+1, nil)),
				KER6(ker6Case(weights.GaussMixture{Scale: 1, Low: 0.3, P: 0.5}, 0.1, 1, x, seed+2, nil)),
				KER6(ker6Case(weights.StudentT{Nu: 40, Scale: 1}, 0, 0.9, x, seed+3, nil)))
			return out
		},
		Control: func(seed uint64) []Result {
			x, _ := seededInputs(8, seed)
			one := func() float64 { return 1 }
			return []Result{
				KER6(ker6Case(weights.Gaussian{Scale: 1}, 0, 1.25, x, seed, one)),
				KER6(ker6Case(weights.Sphere{Radius: 1}, 0.3, 0.8, x, seed, one)),
			}
		},
	})
	Register(Claim{ID: "KER-7", Paper: "kernel",
		Statement: "given layer-1 features, layer 2's kernel is the one-layer formula",
		Run: func(seed uint64) []Result {
			x, y := seededInputs(6, seed)
			var out []Result
			for i, law := range []weights.Law{weights.Gaussian{Scale: 1}, weights.StudentT{Nu: 40, Scale: 1}, weights.Sphere{Radius: 1}} {
				out = append(out, KER7(Conditional{Law: law, A: 0.1, X: x, Y: y, N1: 50, N2: kerN, Seed: seed + uint64(i)}))
			}
			return out
		},
		Control: func(seed uint64) []Result {
			x, y := seededInputs(6, seed)
			return []Result{KER7(Conditional{Law: weights.Gaussian{Scale: 1}, A: 0.2, X: x, Y: y, N1: 2, N2: kerN, Seed: seed,
				Formula: InfiniteWidthStep(x, y)})}
		},
	})
}

// InfiniteWidthStep returns a KER-7 formula that ignores the finite-width features and predicts the
// second-layer kernel of x and y from the infinite-width map (the negative control of KER-7:
// right on average over first layers, wrong given one of them).
func InfiniteWidthStep(x, y []float64) func(zx, zy []float64, m2, a float64) (float64, error) {
	return func(_, _ []float64, m2, a float64) (float64, error) {
		kxx, err1 := kernel.Kernel(x, x, m2, a)
		kyy, err2 := kernel.Kernel(y, y, m2, a)
		th, err3 := kernel.Angle(x, y)
		if err := firstErr(err1, err2, err3); err != nil {
			return 0, err
		}
		th1, err := kernel.DepthStep(th, a)
		if err != nil {
			return 0, err
		}
		kap, _ := kernel.Kappa(th1, a)
		return m2 * math.Sqrt(kxx*kyy) * kap, nil
	}
}

func ker3Case(seed uint64, formula KernelFormula) Symmetries {
	rng := rand.New(rand.NewPCG(seed, 3))
	pts := make([][]float64, 6)
	for i := range pts {
		pts[i], _ = seededInputs(5, seed+uint64(i))
	}
	q, _ := orthogonal.Haar(rng, 5)
	return Symmetries{Points: pts, Q: q, B: 2.5, C: 0.3, A: 0.2, SecondMoment: 2, Depth: 3, Formula: formula}
}

func ker5Net(law weights.Law, seed uint64, expect func(int) (float64, error)) WideNetwork {
	return WideNetwork{Law: law, A: 0, Theta0: math.Pi / 2, SecondMoment: 2, Width: 1000, Depth: 4, Nets: 64, Seed: seed, Expect: expect}
}

func ker6Case(law weights.Law, a, factor float64, x []float64, seed uint64, predict func() float64) Initialisation {
	return Initialisation{Law: law, A: a, Factor: factor, X: x, Width: 128, Depth: 6, Nets: 1024, Seed: seed, Predict: predict}
}

// KernelGolden returns the analytic values of the kernel paper's reference grid
// (shared/spec/kernel.md, golden/kernel.json).
func KernelGolden() ([]Entry, error) {
	var out []Entry
	for _, a := range []float64{0, 0.01, 0.2, 0.5, 1} {
		for j := 0; j <= 12; j++ {
			th := float64(j) * math.Pi / 12
			v, err := kernel.Kappa(th, a)
			if err != nil {
				return nil, err
			}
			out = append(out, Entry{Name: "kappa", Args: map[string]float64{"theta": th, "a": a}, Value: v})
		}
	}
	for _, t0 := range []float64{math.Pi / 4, math.Pi / 2, 3 * math.Pi / 4} {
		for _, a := range []float64{0, 0.2} {
			for l := 1; l <= 1024; l *= 2 {
				v, err := kernel.DepthCos(t0, a, l)
				if err != nil {
					return nil, err
				}
				out = append(out, Entry{Name: "depth_cos", Args: map[string]float64{"theta0": t0, "a": a, "l": float64(l)}, Value: v})
			}
		}
	}
	for d := 2; d <= 16; d += 2 {
		x, y := CLTInputs(d)
		r, err := simkernel.RademacherExact(0, x, y)
		if err != nil {
			return nil, err
		}
		th, err := kernel.Angle(x, y)
		if err != nil {
			return nil, err
		}
		g, _ := kernel.Kappa(th, 0)
		args := map[string]float64{"d": float64(d)}
		out = append(out,
			Entry{Name: "clt_rademacher_exact", Args: args, Value: r / float64(d)},
			Entry{Name: "clt_gaussian", Args: args, Value: g})
	}
	return out, nil
}
