// Package gotestee is the suite's own implementation of the conformance protocol
// (conform/PROTOCOL.md): every op answered by theory/ and numeric/. It is the program the runner
// must pass (cmd/conform-go wraps it), and the conform package's tests run it in-process through a
// re-executed test binary.
package gotestee

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/dlt5/verify/conform/protocol"
	nrbp "github.com/dlt5/verify/numeric/rbp"
	"github.com/dlt5/verify/theory/cnnbound"
	"github.com/dlt5/verify/theory/dae"
	"github.com/dlt5/verify/theory/kernel"
	"github.com/dlt5/verify/theory/meanfield"
	trbp "github.com/dlt5/verify/theory/rbp"
	"gonum.org/v1/gonum/mat"
)

// Name is what the hello reply calls this program.
const Name = "go: the suite's theory/ and numeric/"

// handlers maps each op to its implementation.
var handlers = map[string]func(in inputs) (map[string]any, error){
	"kernel.kappa":                kappa,
	"kernel.deep":                 deep,
	"rbp.fixed_point":             fixedPoint,
	"rbp.neumann":                 neumann,
	"rbp.tbptt":                   tbptt,
	"rbp.bptt":                    bptt,
	"rbp.cg":                      cg,
	"rbp.original":                original,
	"dae.u":                       daeU,
	"dae.ustar":                   daeUStar,
	"meanfield.vanilla":           vanilla,
	"meanfield.vanilla_timescale": vanillaTimescale,
	"meanfield.minimal":           minimal,
	"cnnbound.bound":              bound,
}

// Ops returns the ops this program answers, in the order of PROTOCOL.md.
func Ops() []string {
	return []string{"kernel.kappa", "kernel.deep", "rbp.fixed_point", "rbp.neumann", "rbp.tbptt", "rbp.bptt", "rbp.cg",
		"rbp.original", "dae.u", "dae.ustar", "meanfield.vanilla", "meanfield.vanilla_timescale", "meanfield.minimal", "cnnbound.bound"}
}

// Serve answers requests read from r, one line each, on w until r ends. A line that is not a
// request gets an error reply with whatever id could be read (0 if none). It returns the first read or write error other than the end of r.
func Serve(r io.Reader, w io.Writer) error {
	in := bufio.NewReaderSize(r, 1<<16)
	out := bufio.NewWriterSize(w, 1<<16)
	var buf []byte
	for {
		line, err := readLine(in)
		if len(line) > 0 {
			buf = protocol.AppendReply(buf[:0], Answer(line))
			if _, werr := out.Write(buf); werr != nil {
				return werr
			}
			if werr := out.Flush(); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readLine reads one line of at most protocol.MaxLine bytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > protocol.MaxLine {
			return nil, fmt.Errorf("gotestee: a request longer than %d bytes", protocol.MaxLine)
		}
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

// Answer returns the reply to one request line.
func Answer(line []byte) protocol.Reply {
	req, err := protocol.DecodeRequest(line)
	if err != nil {
		return protocol.Reply{ID: req.ID, IsError: true, Error: "bad request: " + err.Error()}
	}
	if req.Op == "hello" {
		v, err := inputs(req.Inputs).int("protocol")
		if err != nil || v != protocol.Version {
			return protocol.Reply{ID: req.ID, IsError: true, Error: fmt.Sprintf("protocol version %v unsupported: this program speaks %d", req.Inputs["protocol"], protocol.Version)}
		}
		ops := make([]any, 0, len(handlers))
		for _, op := range Ops() {
			ops = append(ops, op)
		}
		return protocol.Reply{ID: req.ID, Result: map[string]any{"protocol": protocol.Version, "ops": ops, "name": Name}}
	}
	h, ok := handlers[req.Op]
	if !ok {
		return protocol.Reply{ID: req.ID, IsError: true, Error: fmt.Sprintf("unsupported op %q", req.Op)}
	}
	res, err := h(inputs(req.Inputs))
	if err != nil {
		return protocol.Reply{ID: req.ID, IsError: true, Error: err.Error()}
	}
	return protocol.Reply{ID: req.ID, Result: res}
}

// inputs reads a request's named inputs.
type inputs map[string]any

func (in inputs) get(name string) (any, error) {
	v, ok := in[name]
	if !ok {
		return nil, fmt.Errorf("missing input %q", name)
	}
	return v, nil
}

func (in inputs) float(name string) (float64, error) {
	v, err := in.get(name)
	if err != nil {
		return 0, err
	}
	f, err := protocol.Float(v)
	if err != nil {
		return 0, fmt.Errorf("input %q: %v", name, err)
	}
	return f, nil
}

func (in inputs) int(name string) (int, error) {
	v, err := in.get(name)
	if err != nil {
		return 0, err
	}
	i, err := protocol.Int(v)
	if err != nil {
		return 0, fmt.Errorf("input %q: %v", name, err)
	}
	return i, nil
}

func (in inputs) vector(name string) ([]float64, error) {
	v, err := in.get(name)
	if err != nil {
		return nil, err
	}
	x, err := protocol.Vector(v)
	if err != nil {
		return nil, fmt.Errorf("input %q: %v", name, err)
	}
	return x, nil
}

func (in inputs) matrix(name string, cols int) (*mat.Dense, error) {
	v, err := in.get(name)
	if err != nil {
		return nil, err
	}
	rows, err := protocol.Matrix(v)
	if err != nil {
		return nil, fmt.Errorf("input %q: %v", name, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("input %q has no rows", name)
	}
	if cols < 0 {
		cols = len(rows[0])
	}
	if cols == 0 {
		return nil, fmt.Errorf("input %q has no columns", name)
	}
	m := mat.NewDense(len(rows), cols, nil)
	for i, r := range rows {
		if len(r) != cols {
			return nil, fmt.Errorf("input %q: row %d has %d entries, want %d", name, i, len(r), cols)
		}
		m.SetRow(i, r)
	}
	return m, nil
}

func one(name string, v float64) map[string]any { return map[string]any{name: v} }

func kappa(in inputs) (map[string]any, error) {
	theta, err1 := in.float("theta")
	a, err2 := in.float("a")
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	k, err := kernel.Kappa(theta, a)
	return one("kappa", k), err
}

func deep(in inputs) (map[string]any, error) {
	theta0, err1 := in.float("theta0")
	a, err2 := in.float("a")
	l, err3 := in.int("layers")
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	rho, err := kernel.DepthCos(theta0, a, l)
	return one("rho", rho), err
}

// problem is the tanh recurrence of a request, F(h) = tanh(W h + U x + c), with the loss
// 1/2 |h - y|^2, and its fixed point.
type problem struct {
	n     int
	w     *mat.Dense
	c, y  []float64
	model *nrbp.Tanh
	hstar []float64
}

func (p *problem) lossGrad(dst, h []float64) {
	for i := range dst {
		dst[i] = h[i] - p.y[i]
	}
}

// readProblem reads W, U, x, c and y (needed when needY is set: rbp.fixed_point has no loss) and,
// when solve is set, finds h* (theory/rbp's Newton iteration).
func readProblem(in inputs, solve, needY bool) (*problem, error) {
	w, err := in.matrix("W", -1)
	if err != nil {
		return nil, err
	}
	n, m := w.Dims()
	if n != m {
		return nil, fmt.Errorf("the matrix W is %d x %d, want square", n, m)
	}
	x, err := in.vector("x")
	if err != nil {
		return nil, err
	}
	u, err := in.matrix("U", len(x))
	if err != nil {
		return nil, err
	}
	if r, _ := u.Dims(); r != n {
		return nil, fmt.Errorf("the matrix U has %d rows, want n = %d", r, n)
	}
	c, err1 := in.vector("c")
	y, err2 := make([]float64, n), error(nil)
	if _, ok := in["y"]; ok || needY {
		y, err2 = in.vector("y")
	}
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	if len(c) != n || len(y) != n {
		return nil, fmt.Errorf("c and y have %d and %d entries, want n = %d", len(c), len(y), n)
	}
	for i, v := range append(append(append([]float64(nil), x...), c...), y...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("x, c, y: entry %d is %v", i, v)
		}
	}
	var drive mat.VecDense
	drive.MulVec(u, mat.NewVecDense(len(x), x))
	model, err := nrbp.NewTanh(mat.DenseCopyOf(w).RawMatrix().Data, c, drive.RawVector().Data)
	if err != nil {
		return nil, err
	}
	p := &problem{n: n, w: w, c: c, y: y, model: model}
	if solve {
		bias := make([]float64, n)
		for i := range bias {
			bias[i] = c[i] + drive.AtVec(i)
		}
		if p.hstar, err = trbp.TanhFixedPoint(w, bias); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// gradient splits a parameter gradient (W row-major, then c) into grad_W and grad_c.
func (p *problem) gradient(g []float64) (map[string]any, error) {
	if g == nil {
		return nil, errors.New("the gradient is not finite")
	}
	gw := make([][]float64, p.n)
	for i := range gw {
		gw[i] = g[i*p.n : (i+1)*p.n]
	}
	return map[string]any{"grad_W": gw, "grad_c": g[p.n*p.n:]}, nil
}

func fixedPoint(in inputs) (map[string]any, error) {
	p, err := readProblem(in, true, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{"h": p.hstar}, nil
}

func neumann(in inputs) (map[string]any, error) {
	k, err := in.int("K")
	if err != nil {
		return nil, err
	}
	p, err := readProblem(in, true, true)
	if err != nil {
		return nil, err
	}
	g, err := nrbp.Neumann(p.model, p.hstar, k, p.lossGrad)
	if err != nil {
		return nil, err
	}
	return p.gradient(g)
}

func tbptt(in inputs) (map[string]any, error) {
	k, err := in.int("K")
	if err != nil {
		return nil, err
	}
	p, err := readProblem(in, true, true)
	if err != nil {
		return nil, err
	}
	g, _, err := nrbp.TBPTT(p.model, p.hstar, k, p.lossGrad)
	if err != nil {
		return nil, err
	}
	return p.gradient(g)
}

func bptt(in inputs) (map[string]any, error) {
	steps, err1 := in.int("T")
	h0, err2 := in.vector("h0")
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	p, err := readProblem(in, false, true)
	if err != nil {
		return nil, err
	}
	g, _, err := nrbp.TBPTT(p.model, h0, steps, p.lossGrad)
	if err != nil {
		return nil, err
	}
	return p.gradient(g)
}

func cg(in inputs) (map[string]any, error) {
	iters, err1 := in.int("iterations")
	eta, err2 := in.float("damping")
	tol, err3 := in.float("tol")
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	p, err := readProblem(in, true, true)
	if err != nil {
		return nil, err
	}
	b := make([]float64, p.n)
	p.lossGrad(b, p.hstar)
	z, _, err := nrbp.CGRBP(p.model, p.hstar, b, eta, tol, iters)
	if err != nil {
		return nil, err
	}
	return p.gradient(nrbp.ParamGradient(p.model, p.hstar, z))
}

func original(in inputs) (map[string]any, error) {
	iters, err1 := in.int("iterations")
	z0, err2 := in.vector("z0")
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	p, err := readProblem(in, true, true)
	if err != nil {
		return nil, err
	}
	b := make([]float64, p.n)
	p.lossGrad(b, p.hstar)
	z, err := nrbp.OriginalRBP(p.model, p.hstar, b, z0, iters)
	if err != nil {
		return nil, err
	}
	return p.gradient(nrbp.ParamGradient(p.model, p.hstar, z))
}

func mode(in inputs) (dae.Mode, error) {
	l, err1 := in.float("lambda")
	s, err2 := in.float("sigma2")
	g, err3 := in.float("gamma")
	return dae.Mode{Lambda: l, Sigma2: s, Gamma: g}, errors.Join(err1, err2, err3)
}

func daeU(in inputs) (map[string]any, error) {
	m, err := mode(in)
	u0, err1 := in.float("u0")
	t, err2 := in.float("t")
	if err := errors.Join(err, err1, err2); err != nil {
		return nil, err
	}
	u, err := m.U(u0, t)
	return one("u", u), err
}

func daeUStar(in inputs) (map[string]any, error) {
	m, err := mode(in)
	if err != nil {
		return nil, err
	}
	u, err := m.UStar()
	return one("ustar", u), err
}

// vanillaDrive reads sw2, sv2, sb2 and R (variances, and the input's second moment) and returns
// sw2, the drive s = sv2 R + sb2 and the shared drive sb2 of independent inputs.
func vanillaDrive(in inputs) (sw2, s, shared float64, err error) {
	var v [4]float64
	var errs [4]error
	for i, name := range []string{"sw2", "sv2", "sb2", "R"} {
		v[i], errs[i] = in.float(name)
		if errs[i] == nil && !(v[i] >= 0 && !math.IsInf(v[i], 0)) {
			errs[i] = fmt.Errorf("%s = %v must be finite and >= 0", name, v[i])
		}
	}
	if err := errors.Join(errs[:]...); err != nil {
		return 0, 0, 0, err
	}
	return v[0], v[1]*v[3] + v[2], v[2], nil
}

func vanilla(in inputs) (map[string]any, error) {
	sw2, s, _, err := vanillaDrive(in)
	if err != nil {
		return nil, err
	}
	q, err := meanfield.VanillaFixedPoint(sw2, s)
	if err != nil {
		return nil, err
	}
	chi, err := meanfield.VanillaChi1(sw2, q)
	if err != nil {
		return nil, err
	}
	return map[string]any{"qstar": q, "chi1": chi}, nil
}

func vanillaTimescale(in inputs) (map[string]any, error) {
	sw2, s, shared, err := vanillaDrive(in)
	if err != nil {
		return nil, err
	}
	xi, err := meanfield.VanillaTimescale(sw2, s, shared)
	if err != nil { // valid inputs: no finite timescale (q* = 0, or chi_c* >= 1)
		return map[string]any{"timescale": nil}, nil
	}
	return map[string]any{"timescale": xi}, nil
}

func minimal(in inputs) (map[string]any, error) {
	var v [5]float64
	var errs [5]error
	for i, name := range []string{"mu_b", "sw", "sv", "sb", "R"} {
		v[i], errs[i] = in.float(name)
	}
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	m := meanfield.Minimal{MuB: v[0], SW: v[1], SV: v[2], SB: v[3], R: v[4]}
	q, err := m.QStar()
	if err != nil {
		return nil, err
	}
	chi, err := m.Chi1()
	if err != nil {
		return nil, err
	}
	res := map[string]any{"Qstar": q, "chi1": chi, "xi": nil}
	if xi, err := m.Xi(); err == nil {
		res["xi"] = xi
	}
	return res, nil
}

// arch reads an architecture object (PROTOCOL.md, cnnbound.bound).
func arch(v any) (cnnbound.Arch, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return cnnbound.Arch{}, errors.New(`input "arch" must be an object`)
	}
	in := inputs(obj)
	var a cnnbound.Arch
	var errs []error
	geti := func(dst *int, name string) {
		var err error
		*dst, err = in.int(name)
		errs = append(errs, err)
	}
	geti(&a.R0, "r0")
	geti(&a.C0, "c0")
	geti(&a.D0, "d0")
	geti(&a.P, "p")
	geti(&a.Out, "out")
	geti(&a.OutA, "out_a")
	var err error
	a.OutB, err = in.float("out_b")
	errs = append(errs, err)
	layers, ok := obj["layers"].([]any)
	if !ok {
		errs = append(errs, errors.New(`"arch.layers" must be an array`))
	}
	for i, l := range layers {
		lo, ok := l.(map[string]any)
		if !ok {
			errs = append(errs, fmt.Errorf("layer %d is not an object", i))
			continue
		}
		li := inputs(lo)
		var layer cnnbound.Layer
		var e [5]error
		layer.K, e[0] = li.int("k")
		layer.S, e[1] = li.int("s")
		layer.D, e[2] = li.int("d")
		layer.A, e[3] = li.int("a")
		layer.B, e[4] = li.float("b")
		errs = append(errs, e[:]...)
		a.Layers = append(a.Layers, layer)
	}
	return a, errors.Join(errs...)
}

func bound(in inputs) (map[string]any, error) {
	raw, err := in.get("arch")
	if err != nil {
		return nil, err
	}
	a, err := arch(raw)
	n, err1 := in.float("n")
	eps, err2 := in.float("eps")
	if err := errors.Join(err, err1, err2); err != nil {
		return nil, err
	}
	b, err := a.Bound(n, eps)
	return one("bound", b), err
}
