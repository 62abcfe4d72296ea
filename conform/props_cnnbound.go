package conform

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/dlt5/verify/theory/cnnbound"
	"pgregory.net/rapid"
)

// archLayer and archSpec are an architecture as the protocol writes it (PROTOCOL.md,
// cnnbound.bound).
type archLayer struct {
	K int     `json:"k"`
	S int     `json:"s"`
	D int     `json:"d"`
	A int     `json:"a"`
	B float64 `json:"b"`
}

type archSpec struct {
	R0     int         `json:"r0"`
	C0     int         `json:"c0"`
	D0     int         `json:"d0"`
	P      int         `json:"p"`
	Layers []archLayer `json:"layers"`
	Out    int         `json:"out"`
	OutA   int         `json:"out_a"`
	OutB   float64     `json:"out_b"`
}

func (a archSpec) theory() cnnbound.Arch {
	t := cnnbound.Arch{R0: a.R0, C0: a.C0, D0: a.D0, P: a.P, Out: a.Out, OutA: a.OutA, OutB: a.OutB}
	for _, l := range a.Layers {
		t.Layers = append(t.Layers, cnnbound.Layer{K: l.K, S: l.S, D: l.D, A: l.A, B: l.B})
	}
	return t
}

func (a archSpec) object() map[string]any {
	layers := make([]any, len(a.Layers))
	for i, l := range a.Layers {
		layers[i] = map[string]any{"k": l.K, "s": l.S, "d": l.D, "a": l.A, "b": l.B}
	}
	return map[string]any{"r0": a.R0, "c0": a.C0, "d0": a.D0, "p": a.P, "layers": layers, "out": a.Out, "out_a": a.OutA, "out_b": a.OutB}
}

// boundCase is one cnnbound.bound request.
type boundCase struct {
	Arch archSpec `json:"arch"`
	N    float64  `json:"n"`
	Eps  float64  `json:"eps"`
}

func (c boundCase) inputs() map[string]any {
	return map[string]any{"arch": c.Arch.object(), "n": c.N, "eps": c.Eps}
}

// drawArch draws a valid architecture of 1 to 3 layers by building it from the output back: the
// last pooled size, then each layer's kernel k >= stride s, so that every size divides.
func drawArch(t *rapid.T) archSpec {
	l := rapid.IntRange(1, 3).Draw(t, "layers")
	p := rapid.IntRange(1, 3).Draw(t, "p")
	rows, cols := rapid.IntRange(1, 4).Draw(t, "last rows"), rapid.IntRange(1, 4).Draw(t, "last cols")
	layers := make([]archLayer, l)
	for i := l - 1; i >= 0; i-- {
		s := rapid.IntRange(1, 3).Draw(t, "s")
		k := rapid.IntRange(s, s+4).Draw(t, "k")
		layers[i] = archLayer{K: k, S: s, D: rapid.IntRange(1, 32).Draw(t, "d"), A: rapid.IntRange(1, 16).Draw(t, "a"),
			B: edged(t, "b", rapid.Float64Range(0.01, 100), 1e-3, 1, 1e3)}
		// conv output p * rows, from an input of (p rows - 1) s + k
		rows, cols = (p*rows-1)*s+k, (p*cols-1)*s+k
	}
	return archSpec{R0: rows, C0: cols, D0: rapid.IntRange(1, 3).Draw(t, "d0"), P: p, Layers: layers,
		Out: rapid.IntRange(2, 20).Draw(t, "out"), OutA: rapid.IntRange(1, 10).Draw(t, "out_a"),
		OutB: edged(t, "out_b", rapid.Float64Range(0.01, 100), 1e-3, 1, 1e3)}
}

func drawBound(t *rapid.T) boundCase {
	return boundCase{Arch: drawArch(t),
		N:   edged(t, "n", rapid.Map(rapid.Float64Range(0, 15), func(e float64) float64 { return math.Round(math.Pow(10, e)) }), 1, 1e4, 1e15),
		Eps: edged(t, "eps", rapid.Float64Range(1e-6, 0.999), 1e-300, 0.05, 1-0x1p-53)}
}

// logTerms returns the logarithms varrho sums (Theorem 1): ln b_{l+1}, ln n, -ln(128 p^2) and per
// layer ln sqrt(d_i), ln b_i, ln(k_i - s_i + 1), -ln(4p).
func (c boundCase) logTerms() []float64 {
	p := float64(c.Arch.P)
	out := []float64{math.Log(c.Arch.OutB), math.Log(c.N), -math.Log(128 * p * p)}
	for _, l := range c.Arch.Layers {
		out = append(out, 0.5*math.Log(float64(l.D)), math.Log(l.B), math.Log(float64(l.K-l.S+1)), -math.Log(4*p))
	}
	return out
}

// numeratorError bounds the rounding of N = theta varrho + ln(4/eps): each logarithm carries
// 2 eps of its size, their sum L eps of the sizes (L terms), theta multiplies it, and ln(4/eps)
// and the product round once more: 4 eps (theta L sum |ln_j| + |ln(4/eps)| + |N|).
func (c boundCase) numeratorError(theta, num float64) float64 {
	terms := c.logTerms()
	var sum float64
	for _, x := range terms {
		sum += math.Abs(x)
	}
	return 4 * eps * (theta*float64(len(terms))*sum + math.Abs(math.Log(4/c.Eps)) + math.Abs(num))
}

// boundRef returns B(n), theta and the numerator N = 2 n B^2 (or the error theory gives).
func (c boundCase) boundRef() (b, theta, num float64, err error) {
	a := c.Arch.theory()
	if b, err = a.Bound(c.N, c.Eps); err != nil {
		return 0, 0, 0, err
	}
	if theta, err = a.Theta(); err != nil {
		return 0, 0, 0, err
	}
	v, err := a.Varrho(c.N)
	if err != nil {
		return 0, 0, 0, err
	}
	return b, theta, theta*v + math.Log(4/c.Eps), nil
}

// archCorruptions are bad architectures and arguments.
func archCorruptions() []corruption {
	arch := func(why string, f func(a *archSpec)) corruption {
		return corruption{why: why, apply: func(in map[string]any) {
			var a archSpec
			b, _ := json.Marshal(in["arch"])
			if err := json.Unmarshal(b, &a); err != nil {
				panic("conform: an architecture does not round-trip: " + err.Error())
			}
			f(&a)
			in["arch"] = a.object()
		}}
	}
	return append(append([]corruption{
		arch("a kernel larger than its input (k = r0 + 1)", func(a *archSpec) { a.Layers[0].K, a.Layers[0].S = a.R0+1, 1 }),
		arch("a kernel smaller than its stride (k < s)", func(a *archSpec) { a.Layers[0].S = a.Layers[0].K + 1 }),
		arch("a stride that does not divide r0 - k (k = s = 2, r0 odd)", func(a *archSpec) { a.Layers[0].K, a.Layers[0].S, a.R0 = 2, 2, 2*a.R0+1 }),
		arch("a norm bound b = 0", func(a *archSpec) { a.Layers[0].B = 0 }),
		arch("a negative norm bound b_{l+1}", func(a *archSpec) { a.OutB = -1 }),
		arch("a negative depth d = -1", func(a *archSpec) { a.Layers[0].D = -1 }),
		arch("a rank a = 0", func(a *archSpec) { a.Layers[0].A = 0 }),
		arch("pooling p = 0", func(a *archSpec) { a.P = 0 }),
		// one stride more input rows give the first layer r_1 + 1 rows, which p >= 2 does not
		// divide, while a program that floors (r_1 + 1)/p gets the same sizes as before and answers
		// (it passed every cnnbound property); p = 1 becomes 2, with r_1 made odd
		arch("pooling that does not divide the first layer's output rows", func(a *archSpec) {
			if a.P == 1 {
				a.P = 2
				if ((a.R0-a.Layers[0].K)/a.Layers[0].S+1)%2 == 1 {
					return
				}
			}
			a.R0 += a.Layers[0].S
		}),
		arch("no layers", func(a *archSpec) { a.Layers = nil }),
		set("eps", "0", "eps = 0 (it must be in (0, 1))"),
		set("eps", "1", "eps = 1"),
		set("n", "0", "n = 0 (it must be > 0)"),
	}, badFloats("n", math.NaN(), math.NaN())...), badFloats("eps", 0, 1)...)
}

func init() {
	define("cnnbound.bound/theory",
		"B(n) = sqrt((theta varrho + ln(4/eps)) / (2n)) (Theorem 1, natural logarithms) agrees with theory/cnnbound to 4 (2 eps + dN/(2N)) relative, dN = 4 eps (theta L sum_j |ln_j| + |ln(4/eps)| + |N|) the rounding of the numerator N from its L logarithms; an error reply exactly where theory has none (N <= 0: the bound is undefined), either within dN of N = 0",
		200, []string{"cnnbound.bound"}, drawBound,
		func(s *session, c boundCase) verdict {
			want, theta, num, err := c.boundRef()
			if err != nil {
				// theory: undefined; the program must say so, unless N is within its rounding of 0
				r := s.send("cnnbound.bound", c.inputs())
				if !r.IsError {
					th, _ := c.Arch.theory().Theta()
					v, verr := c.Arch.theory().Varrho(c.N)
					if verr == nil && math.Abs(th*v+math.Log(4/c.Eps)) <= c.numeratorError(th, 0) {
						return verdict{}
					}
					failNow(classNoError, fmt.Sprintf("an answer where the bound is undefined (theory/cnnbound: %v)", err))
				}
				return verdict{}
			}
			dn := c.numeratorError(theta, num)
			r := s.send("cnnbound.bound", c.inputs())
			if r.IsError {
				if dn >= num {
					return verdict{}
				}
				failNow(classErrorReply, fmt.Sprintf("an error reply where the bound is %.6g: %q", want, r.Error))
			}
			var v verdict
			v.close("bound", result(r.Result).float("bound"), want, 4*(2*eps+dn/(2*num))*want)
			return v
		})
	// The base cases are drawn where the bound is defined for most architectures (n >= 1e4): at an
	// undefined base every corruption gets its error reply whether the program checks it or not.
	defineBad("cnnbound.bound", 100, func(t *rapid.T) boundCase {
		c := drawBound(t)
		c.N = math.Max(c.N, 1e4)
		return c
	}, boundCase.inputs, archCorruptions())

	define("cnnbound.bound/log-linear",
		"reference-free: 2 n B(n)^2 is affine in ln n and in ln b_1 with the same slope theta (Theorem 1): the differences at n, 2n, 4n agree with each other and with the one for b_1 -> 2 b_1, to 4 (dN(4n) + dN(2n) + dN(n)) (dN the numerator's rounding; cases where the bound is defined)",
		100, []string{"cnnbound.bound"},
		func(t *rapid.T) boundCase {
			c := drawBound(t)
			c.N = math.Max(c.N, 1e4) // where the bound is defined for most architectures
			return c
		},
		func(s *session, c boundCase) verdict {
			var nums [4]float64
			var dn float64
			cases := [4]boundCase{c, c, c, c}
			cases[1].N, cases[2].N = 2*c.N, 4*c.N
			cases[3].Arch.Layers = append([]archLayer(nil), c.Arch.Layers...)
			cases[3].Arch.Layers[0].B *= 2
			for i, q := range cases {
				_, theta, num, err := q.boundRef()
				if err != nil {
					return verdict{} // undefined at one of the four: nothing to compare
				}
				dn += q.numeratorError(theta, num)
				b := s.answer("cnnbound.bound", q.inputs()).float("bound")
				nums[i] = 2 * q.N * b * b
			}
			var v verdict
			v.close("[2nB^2](4n) - 2 [2nB^2](2n) + [2nB^2](n)", nums[2]-nums[1], nums[1]-nums[0], 4*dn)
			v.close("[2nB^2](2 b_1) - [2nB^2](b_1) against [2nB^2](2n) - [2nB^2](n)", nums[3]-nums[0], nums[1]-nums[0], 4*dn)
			return v
		})
}
