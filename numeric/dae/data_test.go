package dae

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"pgregory.net/rapid"
)

// idxBytes encodes n images of r x c bytes (pixel values from pix, cycled) with the given header
// count.
func idxBytes(magic uint32, count, r, c uint32, body []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, [4]uint32{magic, count, r, c})
	b.Write(body)
	return b.Bytes()
}

// TestDecodeImages: a well-formed file round-trips (pixels / 255), max reads a prefix, and each
// malformed header or body is an error that names the problem.
func TestDecodeImages(t *testing.T) {
	body := []byte{0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8}
	im, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, 3, 2, 2, body)), 0)
	if err != nil || im.N != 3 || im.Rows != 2 || im.Cols != 2 || im.Pix[1] != 1 || im.Pix[2] != 0.2 {
		t.Fatalf("round trip: %+v, %v", im, err)
	}
	if im, err = DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, 3, 2, 2, body)), 2); err != nil || im.N != 2 || len(im.Pix) != 8 {
		t.Fatalf("prefix of 2: %+v, %v", im, err)
	}
	for name, data := range map[string][]byte{
		"short header": {0, 0, 8},
		"labels magic": idxBytes(0x00000801, 3, 2, 2, body),
		"zero images":  idxBytes(idxImagesMagic, 0, 2, 2, body),
		"huge side":    idxBytes(idxImagesMagic, 1, 1<<13, 1, body),
		"truncated":    idxBytes(idxImagesMagic, 4, 2, 2, body),
	} {
		if _, err := DecodeImages(bytes.NewReader(data), 0); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestDecodeImagesLyingHeader: a header claiming 2^32 - 1 images of 4096 x 4096 over a 12-byte body
// is an error after allocating at most a few chunks, not the 2^56 bytes it claims.
func TestDecodeImagesLyingHeader(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeImages(bytes.NewReader(idxBytes(idxImagesMagic, math.MaxUint32, 4096, 4096, make([]byte, 12))), 0)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a lying header was accepted")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Fatalf("allocated %d bytes for a 28-byte file", got)
	}
}

// drawImages draws up to maxN images of sides that a drawn pooling k (1..3) divides, pixels as
// bytes / 255.
func drawImages(t *rapid.T, maxN int) (*Images, int) {
	k := rapid.IntRange(1, 3).Draw(t, "k")
	r, c := k*rapid.IntRange(1, 3).Draw(t, "r"), k*rapid.IntRange(1, 3).Draw(t, "c")
	n := rapid.IntRange(1, maxN).Draw(t, "n")
	pix := make([]float64, n*r*c)
	for i := range pix {
		pix[i] = float64(rapid.IntRange(0, 255).Draw(t, "px")) / 255
	}
	return &Images{N: n, Rows: r, Cols: c, Pix: pix}, k
}

// TestPoolAndCovariance: pooling averages blocks (a constant image stays constant, a sum is
// preserved up to k^2), and the covariance equals (1/N) sum x x^T with V diag(lambda) V^T
// reconstructing it (to 1e-12) and lambda decreasing.
func TestPoolAndCovariance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		im, k := drawImages(t, 20)
		n, r, c, pix := im.N, im.Rows, im.Cols, im.Pix
		p, err := im.Pool(k)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			var a, b float64
			for _, v := range pix[i*r*c : (i+1)*r*c] {
				a += v
			}
			for _, v := range p.Pix[i*p.Rows*p.Cols : (i+1)*p.Rows*p.Cols] {
				b += v
			}
			if math.Abs(a-b*float64(k*k)) > 1e-12*(1+a) {
				t.Fatalf("image %d: sum %v, pooled sum x k^2 %v", i, a, b*float64(k*k))
			}
		}
		s, lam, v, err := p.Covariance()
		if err != nil {
			t.Fatal(err)
		}
		d := p.Rows * p.Cols
		for i := range d {
			for j := range d {
				var want float64
				for m := range n {
					want += p.Pix[m*d+i] * p.Pix[m*d+j] / float64(n)
				}
				var rec float64
				for q := range d {
					rec += v.At(i, q) * lam[q] * v.At(j, q)
				}
				if math.Abs(s.At(i, j)-want) > 1e-12 || math.Abs(rec-want) > 1e-12 {
					t.Fatalf("Sigma[%d][%d] = %v, reconstructed %v, want %v", i, j, s.At(i, j), rec, want)
				}
			}
		}
		for q := 1; q < d; q++ {
			if lam[q] > lam[q-1] {
				t.Fatalf("eigenvalues not decreasing: %v", lam)
			}
		}
	})
	if _, err := (&Images{N: 1, Rows: 3, Cols: 3, Pix: make([]float64, 9)}).Pool(2); err == nil {
		t.Error("pooling 2 over 3 x 3 accepted")
	}
}

// fashionTrain is the Debian package's training images.
const fashionTrain = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

// TestReadFashionMNIST reads the first 100 real images when the data set is installed: 28 x 28,
// pixels in [0, 1], not all zero.
func TestReadFashionMNIST(t *testing.T) {
	if _, err := os.Stat(fashionTrain); err != nil {
		t.Skipf("Fashion-MNIST not installed (%v): apt-get install dataset-fashion-mnist", err)
	}
	im, err := ReadImages(fashionTrain, 100)
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 100 || im.Rows != 28 || im.Cols != 28 {
		t.Fatalf("read %d images of %d x %d", im.N, im.Rows, im.Cols)
	}
	if lo, hi := mat.Min(mat.NewVecDense(len(im.Pix), im.Pix)), mat.Max(mat.NewVecDense(len(im.Pix), im.Pix)); lo < 0 || hi > 1 || hi == 0 {
		t.Fatalf("pixels in [%v, %v]", lo, hi)
	}
	if _, err := ReadImages("/nonexistent/fashion.gz", 1); err == nil {
		t.Error("a missing file was accepted")
	}
}

// TestExactData: X^T X / n = diag(lambda) to 1e-12 (relative to lambda's largest).
func TestExactData(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(1, 6).Draw(t, "D")
		n := rapid.IntRange(d, 40).Draw(t, "n")
		lam := make([]float64, d)
		for i := range lam {
			lam[i] = rapid.Float64Range(0, 5).Draw(t, "lambda")
		}
		x, err := ExactData(lam, n, rapid.Uint64().Draw(t, "seed"))
		if err != nil {
			t.Fatal(err)
		}
		var c mat.Dense
		c.Mul(x.T(), x)
		for i := range d {
			for j := range d {
				want := 0.0
				if i == j {
					want = lam[i]
				}
				if math.Abs(c.At(i, j)/float64(n)-want) > 1e-12*(1+mat.Max(mat.NewVecDense(d, lam))) {
					t.Fatalf("covariance [%d][%d] = %v, want %v", i, j, c.At(i, j)/float64(n), want)
				}
			}
		}
	})
}

// TestExactDataSpread: the rows of ExactData look like a sample, not mass on a few rows (an exact
// covariance alone cannot tell: a fill that put every draw in the first row would still give Q's
// orthonormal columns): at n = 256, D = 4 no row's squared norm exceeds 10 tr(Lambda), while the
// mean is tr(Lambda).
func TestExactDataSpread(t *testing.T) {
	lambda := []float64{2, 1, 0.5, 0.25}
	x, err := ExactData(lambda, 256, 11)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := x.Dims()
	worst := 0.0
	for i := range n {
		r := x.RawRowView(i)
		worst = math.Max(worst, floats.Dot(r, r))
	}
	if worst > 10*3.75 {
		t.Fatalf("a row of squared norm %v against tr(Lambda) = 3.75", worst)
	}
}
