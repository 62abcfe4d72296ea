package vec

import "golang.org/x/sys/cpu"

// vector reports whether the processor runs vec_amd64.s (AVX2 and FMA).
var vector = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dot4AVX returns the dot products of w with x0, x1, x2 and x3 over their first n entries; n must
// be a positive multiple of 8.
//
//go:noescape
func dot4AVX(w, x0, x1, x2, x3 *float64, n int) (a0, a1, a2, a3 float64)

// dot1AVX returns the dot product of w and x over their first n entries; n must be a positive
// multiple of 16.
//
//go:noescape
func dot1AVX(w, x *float64, n int) float64

// axpyAVX adds a x to y over their first n entries; n must be a positive multiple of 16.
//
//go:noescape
func axpyAVX(a float64, x, y *float64, n int)
