package props

import (
	"math"

	"github.com/dlt5/verify/props/claim"
	"github.com/dlt5/verify/theory/cnnbound"
)

// depthPairs returns CNN-5's two depth pairs: A1 -> A2 (B falls: the second layer's pooling shrinks
// theta's output block more than its log term adds) and A1 -> A1 with a second 1 x 1 layer of 64
// channels and norm bound 20 (B rises: the output block grows and the log term adds ln 20).
func depthPairs() (down, up [2]cnnbound.Arch) {
	a1, _ := cnnbound.Reference("A1")
	a2, _ := cnnbound.Reference("A2")
	deep := a1
	deep.Name = "A1+1x1x64"
	deep.Layers = append(append([]cnnbound.Layer(nil), a1.Layers...), cnnbound.Layer{K: 1, S: 1, D: 64, A: 32, B: 20})
	return [2]cnnbound.Arch{a1, a2}, [2]cnnbound.Arch{a1, deep}
}

// cnnCases are the command's CNN-2 .. CNN-4 cases: A1..A3 at n = 1e5, eps = 0.05.
func cnnCases() []BoundCase {
	var out []BoundCase
	for _, name := range []string{"A1", "A2", "A3"} {
		a, _ := cnnbound.Reference(name)
		out = append(out, BoundCase{Arch: a, N: 1e5, Eps: 0.05})
	}
	return out
}

func init() {
	claim.RegisterPaper(claim.Paper{Key: "cnnbound", Prefix: "CNN",
		Citation: "Zhou, Feng, \"Understanding Generalization and Optimization Performance of Deep CNNs\", ICML 2018",
		Summary: "A generalisation bound for CNNs, B(n) = sqrt((theta varrho + ln(4/eps)) / (2n)), that grows with the freedom degree theta and " +
			"only with the logarithm of the weight magnitudes (varrho), uniform convergence of gradients, and a correspondence of stationary points."})
	claim.Register(claim.Claim{ID: "CNN-2", Paper: "cnnbound",
		Statement:  "d(2n B^2)/d ln n = theta exactly; B decreases in n iff theta varrho + ln(4/eps) > theta; B sqrt(n) is not constant: (B sqrt n)^2 grows by theta ln(10)/2 per decade of n.",
		Source:     "Theorem 1 (the bound), as the catalogue writes it.",
		Conditions: "Where the bound is defined (theta varrho + ln(4/eps) > 0); the reference architectures A1..A3.",
		Run: func(uint64) claim.Outcome {
			var o claim.Outcome
			for _, c := range cnnCases() {
				o.Add(CNN2(c)...)
			}
			return o
		},
		Control: func(uint64) []claim.Result {
			c := cnnCases()[0]
			theta, _ := c.Arch.Theta()
			c.Slope = theta / 2
			return CNN2(c)[:1]
		},
	})
	claim.Register(claim.Claim{ID: "CNN-3", Paper: "cnnbound",
		Statement:  "d(2n B^2)/d ln b_i = theta for every layer and the output; scaling every b by c adds (l+1) theta ln c/(2n) to B^2; the Sun et al. (2016) Rademacher term over B grows without limit in c.",
		Source:     "Theorem 1 and the comparison with Sun et al. (2016) in Section 4.",
		Conditions: "Reference architectures A1..A3 at n = 1e5, eps = 0.05; Sun et al. with bx = 1 and b~ the largest norm bound.",
		Run: func(uint64) claim.Outcome {
			var o claim.Outcome
			for _, c := range cnnCases() {
				o.Add(CNN3(c, []float64{1.5, 10, 100, 1000})...)
			}
			return o
		},
		Control: func(uint64) []claim.Result {
			c := cnnCases()[1]
			theta, _ := c.Arch.Theta()
			c.Slope = 3 * theta // (l + 1) theta: the scaling law's constant in a single-b derivative
			return CNN3(c, []float64{10})[:1]
		},
	})
	claim.Register(claim.Claim{ID: "CNN-4", Paper: "cnnbound",
		Statement:  "At fixed theta, B rises with k_i, falls with s_i, is unchanged under (k_i, s_i) -> (k_i + 1, s_i + 1); d(2n B^2)/d ln p = -(l+2) theta, d(2n B^2)/d ln d_i = theta/2, d(2n B^2)/d ln(1/eps) = 1; B^2 is affine in theta with slope varrho/(2n).",
		Source:     "Theorem 1's varrho, as the catalogue reads it; discrete steps (p doubled, d_1 quadrupled) give the log-slopes exactly.",
		Conditions: "A1 (single conv layer: its sizes admit p = 4); the kernel and stride variants keep the conv output by adjusting the input (varrho does not depend on it).",
		Run: func(uint64) claim.Outcome {
			return claim.Results(CNN4(cnnCases()[0], 0)...)
		},
		Control: func(uint64) []claim.Result {
			return CNN4(cnnCases()[0], 2)[3:4]
		},
	})
	claim.Register(claim.Claim{ID: "CNN-5", Paper: "cnnbound",
		Statement:  "Adding a layer adds its log term to varrho and its terms to theta, so B is not monotone in depth (a case each way); for identical layers varrho is affine in l.",
		Source:     "Theorem 1 (the catalogue's reading of depth).",
		Conditions: "A1 -> A2 and A1 -> A1 with a 1 x 1 layer of 64 channels (b = 20); identical 1 x 1 layers on an 8 x 8 x 4 input, l = 1..5.",
		Run: func(uint64) claim.Outcome {
			down, up := depthPairs()
			return claim.Results(CNN5(down, up, 1e5, 0.05)...)
		},
		Control: func(uint64) []claim.Result {
			_, up := depthPairs()
			return CNN5(up, up, 1e5, 0.05)[:1]
		},
	})
}

// cnnboundGolden returns the analytic values of the catalogue's reference grid
// (golden/cnnbound.json).
func cnnboundGolden() ([]claim.Entry, error) {
	var out []claim.Entry
	for _, name := range []string{"A1", "A2", "A3"} {
		a, err := cnnbound.Reference(name)
		if err != nil {
			return nil, err
		}
		theta, err1 := a.Theta()
		d, err2 := a.Params()
		b2, err3 := a.Beta2()
		if err := claim.FirstErr(err1, err2, err3); err != nil {
			return nil, err
		}
		text := map[string]string{"arch": name}
		out = append(out, claim.Entry{Name: "theta", Text: text, Value: theta},
			claim.Entry{Name: "params", Text: text, Value: float64(d)},
			claim.Entry{Name: "beta", Text: text, Value: math.Sqrt(b2)})
		for _, n := range []float64{1e4, 1e5, 1e6, 1e7} {
			v, err1 := a.Varrho(n)
			b, err2 := a.Bound(n, 0.05)
			if err := claim.FirstErr(err1, err2); err != nil {
				return nil, err
			}
			args := map[string]float64{"n": n, "eps": 0.05}
			out = append(out, claim.Entry{Name: "varrho", Args: args, Text: text, Value: v},
				claim.Entry{Name: "bound", Args: args, Text: text, Value: b})
		}
	}
	return out, nil
}
