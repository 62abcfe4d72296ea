package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// withVector runs f with the vector kernels on and then off (where the processor has them), so
// that both paths are checked on every machine that can run them (TestVectorKernels says which).
func withVector(f func(on bool)) {
	saved := vector
	defer func() { vector = saved }()
	for _, on := range []bool{true, false} {
		if on && !saved {
			continue
		}
		vector = on
		f(on)
	}
}

func normals(rng *rand.Rand, n int) []float64 {
	a := make([]float64, n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	return a
}

// within reports whether got is within the rounding bound 2 (n+1) eps sum|terms| of want (n
// terms; each of the two sums rounds through at most n + 1 steps of relative eps/2).
func within(got, want, abs float64, n int) bool {
	return math.Abs(got-want) <= 2*float64(n+1)*0x1p-52*abs
}

// TestMulRows: MulRows agrees with gonum's Gemm (y = X W^T, the same products by another route)
// at every width 1..70 (every tail of the 8- and 16-wide kernels) and every number of vectors
// 1..9 (every remainder of the groups of 4), set and added, on both paths, within the products'
// rounding bound: a dropped or doubled term is seen. The negative control, a product that drops
// its last term, must fail the same bound at every width.
func TestMulRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 70; n++ {
		for k := 1; k <= 9; k++ {
			for _, add := range []bool{false, true} {
				checkMulRows(t, rng, n, k, add)
			}
		}
	}
}

func checkMulRows(t *testing.T, rng *rand.Rand, n, k int, add bool) {
	w, x, y0 := normals(rng, n*n), normals(rng, k*n), normals(rng, k*n)
	want, abs := make([]float64, k*n), make([]float64, k*n)
	copy(want, y0)
	beta := 0.0
	if add {
		beta = 1
	}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, blas64.General{Rows: k, Cols: n, Stride: n, Data: x},
		blas64.General{Rows: n, Cols: n, Stride: n, Data: w}, beta, blas64.General{Rows: k, Cols: n, Stride: n, Data: want})
	for s := range k {
		for j := range n {
			abs[s*n+j] = beta * math.Abs(y0[s*n+j])
			for l := range n {
				abs[s*n+j] += math.Abs(w[j*n+l] * x[s*n+l])
			}
		}
	}
	withVector(func(on bool) {
		got := make([]float64, k*n)
		copy(got, y0)
		MulRows(w, n, x, got, k, add)
		for i := range got {
			if !within(got[i], want[i], abs[i], n) {
				t.Fatalf("vector %v, n %d, k %d, add %v: y[%d] = %v, gonum %v", on, n, k, add, i, got[i], want[i])
			}
		}
	})
	// The control: row 0's product without its last term.
	short := Dot(w[:n-1], x) + beta*y0[0]
	if within(short, want[0], abs[0], n) && w[n-1]*x[n-1] != 0 {
		t.Fatalf("n %d, k %d: the bound accepts a product without its last term", n, k)
	}
}

// TestMulRowsOverwrites: without add, MulRows writes y whatever it held (a NaN left in a reused
// buffer does not leak into the product).
func TestMulRowsOverwrites(t *testing.T) {
	n, k := 20, 5
	w, x, y := make([]float64, n*n), make([]float64, k*n), make([]float64, k*n)
	for i := range w {
		w[i] = 1
	}
	for i := range x {
		x[i] = 1
	}
	for i := range y {
		y[i] = math.NaN()
	}
	MulRows(w, n, x, y, k, false)
	for i, v := range y {
		if v != float64(n) {
			t.Fatalf("y[%d] = %v, want %d", i, v, n)
		}
	}
}

// TestDotAxpy: Dot and Axpy against plain loops at every length 0..70 (each tail of the 16-wide
// kernels), on both paths, within the rounding bound; Axpy leaves y's entries past len(x) alone.
func TestDotAxpy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 70; n++ {
		w, x, y0 := normals(rng, n), normals(rng, n+3), normals(rng, n+3)
		a := rng.NormFloat64()
		var want, abs float64
		for i := range n {
			want += w[i] * x[i]
			abs += math.Abs(w[i] * x[i])
		}
		withVector(func(on bool) {
			if got := Dot(w, x); !within(got, want, abs, n) {
				t.Fatalf("vector %v, n %d: Dot %v, loop %v", on, n, got, want)
			}
			y := append([]float64(nil), y0...)
			Axpy(a, w, y)
			for i := range y {
				if i >= n {
					if y[i] != y0[i] {
						t.Fatalf("vector %v, n %d: Axpy changed y[%d] past len(x)", on, n, i)
					}
					continue
				}
				if want := y0[i] + a*w[i]; !within(y[i], want, math.Abs(y0[i])+math.Abs(a*w[i]), 1) {
					t.Fatalf("vector %v, n %d: Axpy y[%d] = %v, want %v", on, n, i, y[i], want)
				}
			}
		})
	}
}

// BenchmarkMulRows: MulRows against gonum's Gemm and Gemv on the products of the claims'
// networks (width 1000 with 1, 4 and 8 vectors; width 128 with 8).
func BenchmarkMulRows(b *testing.B) {
	for _, c := range [][2]int{{1000, 1}, {1000, 4}, {1000, 8}, {128, 8}} {
		n, k := c[0], c[1]
		rng := rand.New(rand.NewPCG(1, 2))
		w, x, y := normals(rng, n*n), normals(rng, k*n), make([]float64, k*n)
		b.Run(fmt.Sprintf("rows/n=%d/k=%d", n, k), func(b *testing.B) {
			for range b.N {
				MulRows(w, n, x, y, k, false)
			}
		})
		b.Run(fmt.Sprintf("gonum/n=%d/k=%d", n, k), func(b *testing.B) {
			g := blas64.General{Rows: n, Cols: n, Stride: n, Data: w}
			for range b.N {
				if k == 1 {
					blas64.Gemv(blas.NoTrans, 1, g, blas64.Vector{N: n, Inc: 1, Data: x}, 0, blas64.Vector{N: n, Inc: 1, Data: y})
					continue
				}
				blas64.Gemm(blas.NoTrans, blas.Trans, 1, blas64.General{Rows: k, Cols: n, Stride: n, Data: x}, g, 0,
					blas64.General{Rows: k, Cols: n, Stride: n, Data: y})
			}
		})
	}
}

// TestEmpty: the products over no entries are 0 and touch nothing, on both paths.
func TestEmpty(t *testing.T) {
	withVector(func(on bool) {
		a0, a1, a2, a3 := Dot4(nil, nil, nil, nil, nil)
		if a0 != 0 || a1 != 0 || a2 != 0 || a3 != 0 || Dot(nil, nil) != 0 {
			t.Errorf("vector %v: products over no entries are not 0", on)
		}
		y := []float64{1}
		Axpy(2, nil, y)
		if y[0] != 1 {
			t.Errorf("vector %v: Axpy over no entries changed y", on)
		}
	})
}

// TestVectorKernels logs whether this machine ran the vector kernels (AVX2 and FMA) or only the
// portable loops.
func TestVectorKernels(t *testing.T) {
	t.Logf("vector kernels (AVX2, FMA): %v", vector)
}

// FuzzMulRows: at any width 1..40 and 1..9 vectors from any seed, MulRows agrees with plain loops
// within the rounding bound, set and added (sizes are reduced into range: the functions take
// their sizes from the caller's slices and are not a user-facing API).
func FuzzMulRows(f *testing.F) {
	f.Add(1, 1, false, uint64(0))
	f.Add(17, 5, true, uint64(3))
	f.Add(40, 9, false, uint64(7))
	f.Fuzz(func(t *testing.T, n, k int, add bool, seed uint64) {
		n, k = 1+abs(n)%40, 1+abs(k)%9
		rng := rand.New(rand.NewPCG(seed, 9))
		w, x, y := normals(rng, n*n), normals(rng, k*n), normals(rng, k*n)
		got := append([]float64(nil), y...)
		MulRows(w, n, x, got, k, add)
		for s := range k {
			for j := range n {
				want, sum := 0.0, 0.0
				if add {
					want, sum = y[s*n+j], math.Abs(y[s*n+j])
				}
				for l := range n {
					want += w[j*n+l] * x[s*n+l]
					sum += math.Abs(w[j*n+l] * x[s*n+l])
				}
				if !within(got[s*n+j], want, sum, n) {
					t.Fatalf("n %d, k %d, add %v: y[%d] = %v, loops %v", n, k, add, s*n+j, got[s*n+j], want)
				}
			}
		}
	})
}

func abs(i int) int {
	if i < 0 {
		return -(i + 1) // not -i: -MinInt overflows
	}
	return i
}

// TestMulT: MulT agrees with gonum's Gemm (a b^T) within the products' rounding bound at every
// inner length 1..40 and every m, n 1..9 (every remainder of the groups of four), with strides
// wider than the rows and slices as short as a gonum view's ((rows-1) stride + k), on both paths;
// entries of c outside the product are left alone. The dropped-term line checks the bound itself:
// a sum missing a term larger than twice the bound is outside it.
func TestMulT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	withVector(func(on bool) {
		for k := 1; k <= 40; k++ {
			for m := 1; m <= 9; m++ {
				n := 1 + (k+m)%9
				lda, ldb, ldc := k+1, k+3, n+2
				a, b := normals(rng, (m-1)*lda+k), normals(rng, (n-1)*ldb+k)
				c := make([]float64, m*ldc)
				for i := range c {
					c[i] = 7
				}
				MulT(a, lda, m, b, ldb, n, k, c, ldc)
				want := blas64.General{Rows: m, Cols: n, Stride: n, Data: make([]float64, m*n)}
				blas64.Gemm(blas.NoTrans, blas.Trans, 1, blas64.General{Rows: m, Cols: k, Stride: lda, Data: a},
					blas64.General{Rows: n, Cols: k, Stride: ldb, Data: b}, 0, want)
				for i := range m {
					for j := range ldc {
						got := c[i*ldc+j]
						if j >= n {
							if got != 7 {
								t.Fatalf("vector %v: c[%d][%d] outside the product changed to %v", on, i, j, got)
							}
							continue
						}
						abs, short := 0.0, 0.0
						for p := range k {
							abs += math.Abs(a[i*lda+p] * b[j*ldb+p])
							if p < k-1 {
								short += a[i*lda+p] * b[j*ldb+p]
							}
						}
						if !within(got, want.Data[i*n+j], abs, k) {
							t.Fatalf("vector %v, k %d, m %d, n %d: c[%d][%d] = %v, Gemm %v", on, k, m, n, i, j, got, want.Data[i*n+j])
						}
						if d := a[i*lda+k-1] * b[j*ldb+k-1]; math.Abs(d) > 4*float64(k+1)*0x1p-52*abs && within(short, want.Data[i*n+j], abs, k) {
							t.Fatalf("the dropped-term control passes at k %d", k)
						}
					}
				}
			}
		}
	})
}
