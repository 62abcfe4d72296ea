// Package rbp simulates recurrent back-propagation (Liao et al., ICML 2018): a small Model
// interface (one forward step, vector-Jacobian and Jacobian-vector products) with the tanh
// recurrence, the linear recurrence, the continuous Hopfield network and a graph network as
// implementations; fixed-point iteration with a convergence report; and, each written once against
// the interface, full BPTT, TBPTT through the last m applications, the original (Almeida-Pineda)
// RBP, Neumann-RBP and CG-RBP. The closed forms they are checked against are in theory/rbp; the
// claims RBP-1 .. RBP-9 in package props.
//
// Models keep scratch buffers and are not safe for concurrent use. Products use gonum's BLAS on
// caller-owned slices, so the hot loops do not allocate.
//
// The constructors reject mis-sized slices and NaN, infinite or out-of-range parameters. The
// algorithms reject a nil model (also a typed nil), arguments of the wrong length or with a NaN or
// infinite entry, and a model whose live parameters (Params) were changed to non-finite values;
// and they check their result, returning an error instead of a NaN or infinite gradient. The
// Model methods themselves (Step, VJP, JVP) are hot-loop primitives without error results: they
// expect slices of the model's sizes.
package rbp
