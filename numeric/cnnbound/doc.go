// Package cnnbound builds the CNN of Zhou, Feng (ICML 2018) that theory/cnnbound bounds, as real
// layers: strided convolutions without padding, sigmoids, non-overlapping average pooling, a fully
// connected layer, a softmax and the squared loss 1/2 |v - y|^2, with the forward and backward
// passes written once and buffers reused; random weights projected onto the norm bounds, the
// adversarial weights of the catalogue's CNN-6, and the Monte-Carlo experiment of CNN-7.
//
// Feature maps are stored depth-major ([channel][row][column]); a kernel of layer i is
// [input channel][row][column], K x K x d_{i-1}; the output layer is d_{l+1} x (rt_l ct_l d_l),
// row-major. Randomness comes only from explicit seeds. Every exported function validates its
// arguments and returns an error, never a panic or a silent NaN.
package cnnbound
