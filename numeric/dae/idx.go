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
// max exceeds the count). Errors name what was wrong: a short or bad header, a wrong magic number,
// zero or oversized dimensions, a file shorter than its header says.
func DecodeImages(r io.Reader, max int) (*Images, error) {
	if r == nil {
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
	total := n * size
	pix := make([]float64, 0, min(total, chunk))
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
// k = 2 becomes 14 x 14). Errors: k < 1 or a side not divisible by k.
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
	return out, nil
}

func (im *Images) check() error {
	if im == nil || im.N < 1 || im.Rows < 1 || im.Cols < 1 || im.Rows > maxSide || im.Cols > maxSide ||
		len(im.Pix)/(im.Rows*im.Cols) != im.N || len(im.Pix)%(im.Rows*im.Cols) != 0 {
		return errors.New("dae: images are empty or their pixel count does not match N x Rows x Cols")
	}
	return nil
}

// Covariance returns the uncentred covariance Sigma = (1/N) sum_n x_n x_n^T of the images (D = Rows
// Cols; catalogue DAE, "Setting": no centring), and its eigen-decomposition: eigenvalues in
// decreasing order and the matching eigenvectors as the columns of V (D x D).
func (im *Images) Covariance() (*mat.SymDense, []float64, *mat.Dense, error) {
	if err := im.check(); err != nil {
		return nil, nil, nil, err
	}
	d := im.Rows * im.Cols
	x := mat.NewDense(im.N, d, im.Pix)
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
		lam[k] = math.Max(asc[src], 0) // rounding can leave a null direction at -1e-17
		for i := range d {
			v.Set(i, k, vecs.At(i, src))
		}
	}
	return s, lam, v, nil
}
