// Package cnnbound builds the CNN of Zhou, Feng (ICML 2018) that theory/cnnbound bounds, as real
// layers: strided convolutions without padding, sigmoids, non-overlapping average pooling, a fully
// connected layer, a softmax and the squared loss 1/2 |v - y|^2, with the forward and backward
// passes written once and buffers reused; random weights projected onto the norm bounds, the
// adversarial weights of the catalogue's CNN-6, and the Monte-Carlo material of CNN-7 (per-point
// gradients at several weight vectors, replicates of i.i.d. samples).
//
// The package does not use theory/cnnbound's formulas, only its Arch type as a description: each
// layer's size is the number of window positions counted while building it (Shapes), so that
// props can hold theory's closed forms to the built network.
//
// Feature maps are stored depth-major ([channel][row][column]); a kernel of layer i is
// [input channel][row][column], K x K x d_{i-1}; the output layer is d_{l+1} x (rt_l ct_l d_l),
// row-major. Randomness comes only from explicit seeds. Every exported function validates its
// arguments and returns an error, never a panic or a silent NaN (on a nil net too; weights so
// large that a pre-activation, a logit or the gradient overflows are an error).
package cnnbound
