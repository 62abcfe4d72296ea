package dae

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/dlt5/verify/internal/fp"
	"gonum.org/v1/gonum/mat"
)

// Images is a set of grey images, pixels scaled to [0, 1] (byte / 255), stored one image per
// row of N x (Rows Cols), row-major within an image.
type Images struct {
	N, Rows, Cols int
	Pix           []float64
}

// idxImagesMagic is the IDX magic number of unsigned-byte 3-d data (images).
const idxImagesMagic = 0x00000803

// maxSide bounds an image side read from a header (Fashion-MNIST's is 28).
const maxSide = 1 << 12

// chunk bounds how much a read allocates ahead of the bytes it has actually received, so that a
// header claiming more images than the file holds cannot make the reader allocate them first.
const chunk = 1 << 20

// DecodeImages reads uncompressed IDX image data (magic 0x00000803, big-endian counts; the format
// of the MNIST and Fashion-MNIST files) and returns its first max images (all when max <= 0 or
// max exceeds the count). Errors name what was wrong: a nil reader (a typed nil too), a short or
// bad header, a wrong magic number, zero or oversized dimensions (a side above 4096, or more than
// MaxFloats pixels in the images asked for: read fewer with max), a file shorter than its header
// says.
func DecodeImages(r io.Reader, max int) (*Images, error) {
	if fp.IsNil(r) {
		return nil, errors.New("dae: DecodeImages needs a reader")
	}
	var hdr [4]uint32
	if err := binary.Read(r, binary.BigEndian, &hdr); err != nil {
		return nil, fmt.Errorf("dae: IDX header: %w", err)
	}
	if hdr[0] != idxImagesMagic {
		return nil, fmt.Errorf("dae: IDX magic %#08x, want %#08x (unsigned-byte images)", hdr[0], idxImagesMagic)
	}
	n, rows, cols := int(hdr[1]), int(hdr[2]), int(hdr[3])
	if n == 0 || rows == 0 || cols == 0 || rows > maxSide || cols > maxSide {
		return nil, fmt.Errorf("dae: IDX dimensions %d x %d x %d: empty or an image side above %d", n, rows, cols, maxSide)
	}
	if max > 0 && max < n {
		n = max
	}
	size := rows * cols
	if err := checkFloats("the images (N x Rows Cols)", n, size); err != nil {
		return nil, err
	}
	total := n * size
	pix := make([]float64, 0, min(total, 4*chunk)) // 32 MiB ahead at most; DAE-9's 5000 images fit, and growing them was 0.6 s
	buf := make([]byte, min(total, chunk))
	for len(pix) < total {
		b := buf[:min(len(buf), total-len(pix))]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("dae: IDX data truncated after %d of %d images (header says %d): %w", len(pix)/size, n, hdr[1], err)
		}
		for _, v := range b {
			pix = append(pix, float64(v)/255)
		}
	}
	return &Images{N: n, Rows: rows, Cols: cols, Pix: pix}, nil
}

// ReadImages reads the first max images of a gzipped IDX file (such as
// /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz); max <= 0 reads all.
func ReadImages(path string, max int) (*Images, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dae: %w", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("dae: %s is not gzip: %w", path, err)
	}
	defer z.Close()
	im, err := DecodeImages(z, max)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return im, nil
}

// Pool returns the images average-pooled over non-overlapping k x k blocks (a 28 x 28 image with
// k = 2 becomes 14 x 14). Errors: invalid images (see Images.Covariance), k < 1 or a side not
// divisible by k, a mean beyond float64 (ErrNotFinite: pixels within rounding of MaxFloat64).
func (im *Images) Pool(k int) (*Images, error) {
	if err := im.check(); err != nil {
		return nil, err
	}
	if k < 1 || im.Rows%k != 0 || im.Cols%k != 0 {
		return nil, fmt.Errorf("dae: pooling %d does not divide %d x %d images", k, im.Rows, im.Cols)
	}
	r, c := im.Rows/k, im.Cols/k
	out := &Images{N: im.N, Rows: r, Cols: c, Pix: make([]float64, im.N*r*c)}
	w := 1 / float64(k*k)
	for n := range im.N {
		src, dst := im.Pix[n*im.Rows*im.Cols:], out.Pix[n*r*c:]
		for i := range im.Rows {
			for j := range im.Cols {
				dst[(i/k)*c+j/k] += w * src[i*im.Cols+j]
			}
		}
	}
	return out, finiteAll(out.Pix)
}

// check returns an error unless the images are N >= 1 images of sides in [1, 4096], with exactly
// N Rows Cols pixels, every one finite.
func (im *Images) check() error {
	if im == nil || im.N < 1 || im.Rows < 1 || im.Cols < 1 || im.Rows > maxSide || im.Cols > maxSide ||
		len(im.Pix)/(im.Rows*im.Cols) != im.N || len(im.Pix)%(im.Rows*im.Cols) != 0 {
		return errors.New("dae: images are empty or their pixel count does not match N x Rows x Cols")
	}
	if err := finiteAll(im.Pix); err != nil {
		return fmt.Errorf("%w (a pixel)", err)
	}
	return nil
}

// pixelExp bounds the binary exponent of the largest |pixel| that Covariance uses as it is: within
// 2^+-64, products and their sums over at most MaxFloats pixels stay far inside float64, and the
// covariance's entries far from the magnitudes (below 1e-122, above 1e153) where the symmetric
// eigensolver rescales (and gonum v0.17's panics). Outside, the pixels are scaled by a power of
// two first.
const pixelExp = 64

// Covariance returns the uncentred covariance Sigma = (1/N) sum_n x_n x_n^T of the images (D = Rows
// Cols; catalogue DAE, "Setting": no centring), and its eigen-decomposition: eigenvalues in
// decreasing order and the matching eigenvectors as the columns of V (D x D). Units: pixels
// squared. Any finite pixels are accepted: when the largest |pixel| is outside 2^+-64 the
// covariance is computed from the pixels scaled by 2^-e (e its binary exponent) and scaled back by
// 4^e, both exact, so 1e150 pixels do not overflow the products and 1e-100 pixels do not
// underflow them. Errors: invalid images (nil, N < 1, a side outside [1, 4096], a pixel count that
// is not N Rows Cols, a pixel NaN or infinite), D above MaxDim, a covariance beyond float64
// (ErrNotFinite: pixels above about 1e154), a failed eigen-decomposition.
func (im *Images) Covariance() (*mat.SymDense, []float64, *mat.Dense, error) {
	if err := im.check(); err != nil {
		return nil, nil, nil, err
	}
	d := im.Rows * im.Cols
	if err := checkDim("the pixels per image, D =", d); err != nil {
		return nil, nil, nil, err
	}
	var big float64
	for _, v := range im.Pix {
		big = math.Max(big, math.Abs(v))
	}
	pix, e := im.Pix, 0
	if _, be := math.Frexp(big); big != 0 && (be > pixelExp || be < -pixelExp) {
		pix, e = fp.Normalised(im.Pix)
	}
	x := mat.NewDense(im.N, d, pix)
	s := mat.NewSymDense(d, nil)
	s.SymRankK(s, 1/float64(im.N), x.T())
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nil, nil, nil, errors.New("dae: the eigen-decomposition of the covariance failed")
	}
	asc := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	lam := make([]float64, d)
	v := mat.NewDense(d, d, nil)
	for k := range d {
		src := d - 1 - k
		lam[k] = math.Ldexp(math.Max(asc[src], 0), 2*e) // rounding can leave a null direction at -1e-17
		for i := range d {
			v.Set(i, k, vecs.At(i, src))
		}
	}
	if e != 0 {
		raw := s.RawSymmetric()
		for i := range d {
			row := raw.Data[i*raw.Stride+i : i*raw.Stride+d]
			for j := range row {
				row[j] = math.Ldexp(row[j], 2*e)
			}
		}
	}
	if err := finiteMatrix("the covariance", s); err != nil {
		return nil, nil, nil, fmt.Errorf("%w (largest |pixel| %v)", err, big)
	}
	if err := finiteAll(lam); err != nil {
		return nil, nil, nil, fmt.Errorf("%w (an eigenvalue; largest |pixel| %v)", err, big)
	}
	return s, lam, v, nil
}
