//go:build !amd64

package vec

// vector is false: off amd64 every product takes the portable loops of vec.go.
var vector = false

func dot4AVX(w, x0, x1, x2, x3 *float64, n int) (a0, a1, a2, a3 float64) {
	panic("vec: no vector kernel on this architecture")
}

func dot1AVX(w, x *float64, n int) float64 {
	panic("vec: no vector kernel on this architecture")
}

func axpyAVX(a float64, x, y *float64, n int) {
	panic("vec: no vector kernel on this architecture")
}
