package meanfield

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// near reports whether got is within tol of want, relative to max(|want|, 1) (false for NaN).
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), 1)
}

// at returns entry (i, j) of the n x n row-major matrix a.
func at(a []float64, n, i, j int) float64 { return a[i*n+j] }

// TestPreactivationVarianceLoops: every field of PreactivationVariance's steps equals a plain-loop
// simulation of the same network (W, V, b redrawn from the same stream), with several sequences
// (means over k x N units), direct and dense input, Gaussian and orthogonal W, and the derivative
// as 1 - tanh^2 instead of sech^2.
func TestPreactivationVarianceLoops(t *testing.T) {
	const steps, seed = 3, 21
	for _, v := range []Vanilla{
		{N: 3, SW2: 1.4, SV2: 0.3, SB2: 0.2, Start: 0.5, DirectInput: true, Seqs: 2},
		{N: 3, SW2: 0.8, SV2: 0.6, SB2: 0.1, Seqs: 3},
		{N: 2, SW2: 1.1, SV2: 0.2, SB2: 0.3, Start: 0.7, Orthogonal: true},
	} {
		got, err := v.PreactivationVariance(steps, seed)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 0))
		nt, err := v.draw(rng, v.seqs())
		if err != nil {
			t.Fatal(err)
		}
		n, k := v.N, v.seqs()
		w := nt.w.Data
		vin := func(i, j int) float64 { // V_ij
			if v.DirectInput {
				if i == j {
					return math.Sqrt(v.SV2)
				}
				return 0
			}
			return at(nt.v.Data, n, i, j)
		}
		h := make([]float64, n*k) // sequence s, unit i at s*n + i
		if v.Start > 0 {
			gaussian(rng, h, v.Start)
			for i := range h {
				h[i] = math.Tanh(h[i])
			}
		}
		var bb float64
		for _, b := range nt.bias {
			bb += b * b
		}
		x := make([]float64, n*k)
		for st := range steps {
			gaussian(rng, x, 1)
			next := make([]float64, n*k)
			var q, input, fresh, jac float64
			for s := range k {
				for i := range n {
					past, in, rowSq := nt.bias[i], 0.0, 0.0
					for j := range n {
						past += at(w, n, i, j) * h[s*n+j]
						in += vin(i, j) * x[s*n+j]
						rowSq += at(w, n, i, j) * at(w, n, i, j)
					}
					e := past + in
					th := math.Tanh(e)
					next[s*n+i] = th
					q += e * e
					input += in * in
					fresh += 2 * past * in
					jac += (1 - th*th) * (1 - th*th) * rowSq
				}
			}
			h = next
			units := float64(n * k)
			want := Step{Q: q / units, Bias: bb / float64(n), Input: input / units, Fresh: fresh / units, Jacobian: jac / units}
			g := got[st]
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"Q", g.Q, want.Q}, {"Bias", g.Bias, want.Bias}, {"Input", g.Input, want.Input}, {"Fresh", g.Fresh, want.Fresh}, {"Jacobian", g.Jacobian, want.Jacobian}} {
				if !near(c.got, c.want, 1e-12) {
					t.Errorf("%+v step %d: %s = %.15g, loops give %.15g", v, st+1, c.name, c.got, c.want)
				}
			}
		}
	}
}

// TestBounds: every range check admits its end points and refuses the values just outside
// (N in [1, MaxN], steps in [1, 2^20], Seqs in [0, MaxSeqs], k sequences in [1, MaxSeqs + 1], the
// error naming that range), and sech2 is tanh' = 4 e^-2|x| / (1 + e^-2|x|)^2 up to |x| = 350
// inclusive, 0 beyond.
func TestBounds(t *testing.T) {
	for _, c := range []struct {
		n  int
		ok bool
	}{{0, false}, {1, true}, {MaxN, true}, {MaxN + 1, false}} {
		if err := checkNet(c.n, nil); (err == nil) != c.ok {
			t.Errorf("checkNet(N = %d): %v", c.n, err)
		}
	}
	for _, c := range []struct {
		steps int
		ok    bool
	}{{0, false}, {1, true}, {maxSteps, true}, {maxSteps + 1, false}} {
		if err := checkSteps(c.steps); (err == nil) != c.ok {
			t.Errorf("checkSteps(%d): %v", c.steps, err)
		}
	}
	for _, c := range []struct {
		seqs int
		ok   bool
	}{{-1, false}, {0, true}, {MaxSeqs, true}, {MaxSeqs + 1, false}} {
		v := Vanilla{N: 1, SW2: 1, SB2: 1, Seqs: c.seqs}
		if _, err := v.PreactivationVariance(1, 1); (err == nil) != c.ok {
			t.Errorf("Seqs = %d: %v", c.seqs, err)
		}
	}
	for _, c := range []struct {
		k  int
		ok bool
	}{{0, false}, {1, true}, {MaxSeqs + 1, true}, {MaxSeqs + 2, false}} {
		_, err := Vanilla{N: 1, SW2: 1}.draw(rand.New(rand.NewPCG(1, 1)), c.k)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), "[1, 1025]")) {
			t.Errorf("draw with %d sequences: %v", c.k, err)
		}
	}
	for _, x := range []float64{0, 0.5, -3, 20, 349.5, 350, -350} {
		e := math.Exp(-2 * math.Abs(x))
		if want := 4 * e / ((1 + e) * (1 + e)); !(math.Abs(sech2(x)-want) <= 1e-14*want) {
			t.Errorf("sech2(%v) = %v, want %v", x, sech2(x), want)
		}
	}
	for _, x := range []float64{350.5, -351, 1e300, math.Inf(1)} {
		if s := sech2(x); s != 0 {
			t.Errorf("sech2(%v) = %v beyond 350, want 0", x, s)
		}
	}
}

// TestFactoredIsFormed: an orthogonal network kept as its reflections (drawFactored, the variance
// and pair runs) steps as the formed one (draw, the Jacobian's) from the same stream: the same b
// and rows, W b within 1e-12, and every pre-activation and state within 1e-12 over 5 steps (which
// holds V too, dense at k = 1 and 6, direct at 3), at widths 1, 5 and 64 with 1, 3 and 6 sequences
// (groups of four and the rest).
func TestFactoredIsFormed(t *testing.T) {
	for _, n := range []int{1, 5, 64} {
		for _, k := range []int{1, 3, 6} {
			v := Vanilla{N: n, SW2: 1.7, SV2: 0.3, SB2: 0.2, Orthogonal: true, DirectInput: k == 3}
			formed, err := v.draw(rand.New(rand.NewPCG(uint64(n), uint64(k))), k)
			if err != nil {
				t.Fatal(err)
			}
			factored, err := v.drawFactored(rand.New(rand.NewPCG(uint64(n), uint64(k))), k)
			if err != nil {
				t.Fatal(err)
			}
			if factored.w.Data != nil || factored.q == nil {
				t.Fatalf("N = %d: drawFactored formed W", n)
			}
			for i := range n {
				if !near(factored.rows[i], formed.rows[i], 1e-13) || factored.bias[i] != formed.bias[i] {
					t.Fatalf("N = %d: row %d: |W_i|^2 %v and %v, b_i %v and %v", n, i, factored.rows[i], formed.rows[i], factored.bias[i], formed.bias[i])
				}
			}
			wf, wq := make([]float64, n), make([]float64, n)
			formed.mulW(formed.bias, wf, 1, false)
			factored.mulW(factored.bias, wq, 1, false)
			rng := rand.New(rand.NewPCG(3, 3))
			hf, x, ef, eq := make([]float64, n*k), make([]float64, n*k), make([]float64, n*k), make([]float64, n*k)
			gaussian(rng, hf, 0.5)
			hq := append([]float64(nil), hf...)
			for step := range 5 {
				gaussian(rng, x, 1)
				formed.step(hf, x, ef)
				factored.step(hq, x, eq)
				for i := range ef {
					if !near(eq[i], ef[i], 1e-12) || !near(hq[i], hf[i], 1e-12) {
						t.Fatalf("N = %d, k = %d, step %d, unit %d: factored %v, formed %v", n, k, step+1, i, eq[i], ef[i])
					}
				}
			}
			for i := range n {
				if !near(wq[i], wf[i], 1e-12) {
					t.Fatalf("N = %d: (W b)_%d factored %v, formed %v", n, i, wq[i], wf[i])
				}
			}
		}
	}
}

// TestReusedBuffers: a network drawn into a buffer another network left behind (squares) runs
// bit for bit as the first run of its seed did, whatever ran between (other widths, other seeds,
// a Jacobian run that returns a formed orthogonal W) and whatever the buffers held (NaN in every
// entry: a fill that missed one would show); a buffer of the wrong size is not kept.
func TestReusedBuffers(t *testing.T) {
	v := Vanilla{N: 30, SW2: 1.4, SV2: 0.3, SB2: 0.2, Start: 0.5, Seqs: 3}
	first, err := v.PreactivationVariance(4, 5)
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := v.Pair(3, 6, false, Apart)
	if err != nil {
		t.Fatal(err)
	}
	for s := range uint64(3) {
		other := v
		other.N = 20 + int(s)*10 // 30 again at s = 1
		if _, err := other.PreactivationVariance(2, 100+s); err != nil {
			t.Fatal(err)
		}
		if _, err := other.JacobianMoments([]int{2}, 2, 1, 200+s); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 { // buffers that hold NaN wherever a fill missed an entry, and a formed orthogonal W
		poison := make([]float64, v.N*v.N)
		for i := range poison {
			poison[i] = math.NaN()
		}
		squares.put(v.N, poison)
	}
	orth := v
	orth.Orthogonal = true
	if _, err := orth.JacobianMoments([]int{2}, 2, 1, 300); err != nil {
		t.Fatal(err)
	}
	again, err := v.PreactivationVariance(4, 5)
	if err != nil {
		t.Fatal(err)
	}
	pairsAgain, err := v.Pair(3, 6, false, Apart)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(first, again); d != "" { // exact: no tolerance
		t.Fatalf("the variance run changed with reused buffers (-first +again):\n%s", d)
	}
	if d := cmp.Diff(pairs, pairsAgain); d != "" {
		t.Fatalf("the pair run changed with reused buffers (-first +again):\n%s", d)
	}
	squares.put(7, make([]float64, 48)) // not 7 x 7
	wrong := make([]float64, 50)
	squares.pool(7).Put(&wrong) // past put's check: get's own must refuse it
	for range 3 {
		if b := squares.get(7); len(b) != 49 {
			t.Fatalf("get(7) returned %d floats", len(b))
		}
	}
	reused := false // a buffer put back is handed out again (a GC may empty the pool: ten tries)
	for range 10 {
		good := make([]float64, 49)
		squares.put(7, good)
		if b := squares.get(7); &b[0] == &good[0] {
			reused = true
			break
		}
	}
	if !reused {
		t.Fatal("squares never handed back a buffer put into it")
	}
}
