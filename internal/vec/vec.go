// Package vec holds the simulations' inner products, shared by numeric/meanfield and
// numeric/orthogonal: k matrix-vector products that read each row of the matrix once (MulRows),
// and the dot products and axpy under them. gonum's pure-Go BLAS takes these 2 to 5 times slower
// at width 1000 (BenchmarkMulRows). The vector kernels are vec_amd64.s, used where the processor
// has AVX2 and FMA; the loops below are the portable path and the kernels' tails. Callers pass
// slices of the lengths each function states: a shorter one panics, as indexing does.
package vec

// MulRows sets y_s = W x_s for the k vectors x_s = x[s n : (s+1) n] (y_s likewise), W n x n
// row-major, or adds W x_s to y_s when add is set. x and y must not overlap.
func MulRows(w []float64, n int, x, y []float64, k int, add bool) {
	for j := range n {
		row := w[j*n : (j+1)*n]
		s := 0
		for ; s+4 <= k; s += 4 {
			a0, a1, a2, a3 := Dot4(row, x[s*n:], x[(s+1)*n:], x[(s+2)*n:], x[(s+3)*n:])
			put(y, s*n+j, a0, add)
			put(y, (s+1)*n+j, a1, add)
			put(y, (s+2)*n+j, a2, add)
			put(y, (s+3)*n+j, a3, add)
		}
		for ; s < k; s++ {
			put(y, s*n+j, Dot(row, x[s*n:]), add)
		}
	}
}

// MulT sets c = a b^T, c[i][j] = a_i . b_j over k entries, for a m x k (rows a[i lda:]), b n x k
// (rows b[j ldb:]) and c m x n (rows c[i ldc:]), row-major with the given strides: the product of
// a matrix by a transposed one, through Dot4, which reads each row of a once per four rows of b.
// c must not overlap a or b.
func MulT(a []float64, lda, m int, b []float64, ldb, n, k int, c []float64, ldc int) {
	for i := range m {
		ai, ci := a[i*lda:i*lda+k], c[i*ldc:i*ldc+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			ci[j], ci[j+1], ci[j+2], ci[j+3] = Dot4(ai, b[j*ldb:], b[(j+1)*ldb:], b[(j+2)*ldb:], b[(j+3)*ldb:])
		}
		for ; j < n; j++ {
			ci[j] = Dot(ai, b[j*ldb:])
		}
	}
}

// put sets y[i] = v, or adds v to it when add is set.
func put(y []float64, i int, v float64, add bool) {
	if add {
		v += y[i]
	}
	y[i] = v
}

// Dot4 returns w.x0, w.x1, w.x2 and w.x3 over len(w) entries (each x at least as long).
func Dot4(w, x0, x1, x2, x3 []float64) (a0, a1, a2, a3 float64) {
	n := len(w)
	x0, x1, x2, x3 = x0[:n], x1[:n], x2[:n], x3[:n]
	m := 0
	if vector {
		m = n &^ 7
		if m > 0 {
			a0, a1, a2, a3 = dot4AVX(&w[0], &x0[0], &x1[0], &x2[0], &x3[0], m)
		}
	}
	for i := m; i < n; i++ {
		c := w[i]
		a0 += c * x0[i]
		a1 += c * x1[i]
		a2 += c * x2[i]
		a3 += c * x3[i]
	}
	return a0, a1, a2, a3
}

// Dot returns w.x over len(w) entries (x at least as long).
func Dot(w, x []float64) float64 {
	n := len(w)
	x = x[:n]
	m := 0
	var a0, a1 float64
	if vector {
		m = n &^ 15
		if m > 0 {
			a0 = dot1AVX(&w[0], &x[0], m)
		}
	}
	i := m
	for ; i+2 <= n; i += 2 {
		a0 += w[i] * x[i]
		a1 += w[i+1] * x[i+1]
	}
	if i < n {
		a0 += w[i] * x[i]
	}
	return a0 + a1
}

// Axpy adds a x to y over len(x) entries (y at least as long). x and y must not overlap.
func Axpy(a float64, x, y []float64) {
	n := len(x)
	y = y[:n]
	m := 0
	if vector {
		m = n &^ 15
		if m > 0 {
			axpyAVX(a, &x[0], &y[0], m)
		}
	}
	for i := m; i < n; i++ {
		y[i] += a * x[i]
	}
}
