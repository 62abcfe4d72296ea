package props

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dlt5/verify/props/claim"
)

// TestShape holds props/*.go to the rules of props/README.md that a reader would otherwise have
// to police: no error from a call is discarded into _; no claim's results are picked by a
// constant index or slice (rows[3], CNN4(c)[3:4]): select them by case name (claim.Select); every
// paper has the same file set (paperFiles), every file belongs to a paper, none is over maxLines.
// It type-checks the package (tests included) from the compiler's export data of its imports.
func TestShape(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("type-checks the package: not in -short")
	}
	fset, files, bad := parseProps(t, ".")
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: exportImporter(t, fset)}
	if _, err := conf.Check("github.com/dlt5/verify/props", fset, files, info); err != nil {
		t.Fatalf("type-checking props: %v", err)
	}
	for _, f := range files {
		bad = append(bad, shapeViolations(fset, f, info)...)
	}
	bad = append(bad, fileSetViolations()...)
	sort.Strings(bad)
	seen := map[string]int{}
	for _, b := range bad {
		file, _, _ := strings.Cut(b, ":")
		if seen[file]++; seen[file] <= pendingShape[file] {
			t.Logf("pending (issue 19): %s", b)
			continue
		}
		t.Error(b)
	}
	for file, n := range pendingShape {
		if seen[file] < n {
			t.Errorf("pendingShape[%q] = %d but %d remain: lower it", file, n, seen[file])
		}
	}
}

// pendingShape counts, per file, violations known but not yet mended: they are logged, not
// failed, a file may not gain more, and a count above what remains fails (lower it). Every site
// known when TestShape was written (the CNN and mean-field ones) is mended: it is empty.
var pendingShape = map[string]int{}

// paperFiles are the files every paper has in props: its claims, registration, figures, tests
// and rapid generators. A paper's claims may continue in <key>_<topic>.go and its tests in
// <key>_<topic>_test.go; simulation machinery belongs in numeric/<key>.
var paperFiles = []string{"%s.go", "%s_register.go", "%s_figures.go", "%s_test.go", "%s_gen_test.go"}

// sharedFiles are props' files that belong to no paper.
var sharedFiles = map[string]bool{"doc.go": true, "main_test.go": true, "claims_test.go": true, "shape_test.go": true}

// maxLines is the longest a props file may be.
const maxLines = 600

// fileSetViolations lists the papers' missing files, files that belong to no paper, and files over
// maxLines.
func fileSetViolations() []string {
	var out []string
	for _, p := range claim.Papers() {
		for _, f := range paperFiles {
			name := fmt.Sprintf(f, p.Key)
			if _, err := os.Stat(name); err != nil {
				out = append(out, fmt.Sprintf("paper %s has no %s", p.Key, name))
			}
		}
	}
	paths, err := filepath.Glob("*.go")
	if err != nil {
		return []string{err.Error()}
	}
	for _, path := range paths {
		owned := sharedFiles[path]
		for _, p := range claim.Papers() {
			owned = owned || strings.HasPrefix(path, p.Key+".") || strings.HasPrefix(path, p.Key+"_")
		}
		if !owned {
			out = append(out, fmt.Sprintf("%s belongs to no paper (name it <key>_<topic>.go, or move it to numeric/)", path))
		}
		if b, err := os.ReadFile(path); err == nil {
			if n := bytes.Count(b, []byte("\n")); n > maxLines {
				out = append(out, fmt.Sprintf("%s has %d lines (at most %d: split it by topic)", path, n, maxLines))
			}
		}
	}
	return out
}

// parseProps parses every .go file of this directory in package props; a file of another package
// (an external props_test) is a violation, since TestShape reads package props only.
func parseProps(t *testing.T, dir string) (*token.FileSet, []*ast.File, []string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	var foreign []string
	for _, p := range paths {
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name != "props" {
			foreign = append(foreign, fmt.Sprintf("%s: package %s (write props' tests in package props: TestShape reads no other)", p, f.Name.Name))
			continue
		}
		files = append(files, f)
	}
	return fset, files, foreign
}

// exportImporter imports from the export data that `go list -export` reports for the package's
// (and its tests') dependencies.
func exportImporter(t *testing.T, fset *token.FileSet) types.Importer {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "-test", "-f", "{{.ImportPath}}={{.Export}}", ".")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.String())
	}
	exports := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && v != "" {
			exports[k] = v
		}
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		if p, ok := exports[path]; ok {
			return os.Open(p)
		}
		return nil, fmt.Errorf("no export data for %s", path)
	})
}

// shapeViolations lists f's discarded errors and constant picks of claim results. Known limits:
// a row picked through a helper (at(rows, 3)) or by a variable holding a constant (i := 3;
// rows[i]) is not seen.
func shapeViolations(fset *token.FileSet, f *ast.File, info *types.Info) []string {
	var out []string
	report := func(n ast.Node, what string) {
		out = append(out, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	dropped := func(n ast.Node, call ast.Expr, what string) {
		if results := callResults(call, info); results != nil && results.Len() > 0 && ownCall(call, info) &&
			isError(results.At(results.Len()-1).Type()) {
			report(n, what)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if discardsError(n.Lhs, n.Rhs, info) {
				report(n, "an error assigned to _")
			}
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			if discardsError(lhs, n.Values, info) {
				report(n, "an error declared into _")
			}
		case *ast.ExprStmt:
			dropped(n, n.X, "an error dropped by a call statement")
		case *ast.DeferStmt:
			dropped(n, n.Call, "an error dropped by a deferred call")
		case *ast.GoStmt:
			dropped(n, n.Call, "an error dropped by a go statement")
		case *ast.IndexExpr:
			if isResults(info.Types[n.X].Type) && info.Types[n.Index].Value != nil {
				report(n, "a claim result picked by a constant index: select it by case name")
			}
			if isResults(info.Types[n.X].Type) && usesLen(n.Index) {
				report(n, "a claim result picked by a position counted from the end: select it by case name")
			}
		case *ast.SliceExpr:
			if isResults(info.Types[n.X].Type) && constBound(n.Low, info) && constBound(n.High, info) && (n.Low != nil || n.High != nil) {
				report(n, "claim results sliced by constants: select them by case name")
			}
			if isResults(info.Types[n.X].Type) && (usesLen(n.Low) || usesLen(n.High)) {
				report(n, "claim results sliced at a position counted from the end: select them by case name")
			}
		}
		return true
	})
	return out
}

// discardsError reports whether an assignment or declaration puts an error into _: from one call
// with several results (x, _ := f()), or pairwise (a, _ := 1, f()).
func discardsError(lhs, rhs []ast.Expr, info *types.Info) bool {
	blank := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && id.Name == "_"
	}
	for i, l := range lhs {
		if i < len(rhs) && len(lhs) == len(rhs) && blank(l) && callResults(rhs[i], info) == nil && isError(info.Types[rhs[i]].Type) {
			return true // _ = err: an error value dropped
		}
	}
	if len(rhs) == 1 {
		results := callResults(rhs[0], info)
		for i, l := range lhs {
			if blank(l) && results != nil && i < results.Len() && isError(results.At(i).Type()) {
				return true
			}
		}
		return false
	}
	for i, l := range lhs {
		if i < len(rhs) && blank(l) {
			if results := callResults(rhs[i], info); results != nil && results.Len() == 1 && isError(results.At(0).Type()) {
				return true
			}
		}
	}
	return false
}

// isError reports whether t is the error interface.
func isError(t types.Type) bool {
	return t != nil && types.Identical(t, types.Universe.Lookup("error").Type())
}

// usesLen reports whether e calls len: an index computed from a length (rows[len(rows)-1]) picks a
// row by position, and panics when a claim returns fewer rows (one Failed row) than expected.
func usesLen(e ast.Expr) bool {
	found := false
	if e == nil {
		return false
	}
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "len" {
				found = true
			}
		}
		return !found
	})
	return found
}

// ownCall reports whether e calls a function or method of this module (whose dropped errors are
// the suite's own; the standard library's Fprintf into a buffer is not policed).
func ownCall(e ast.Expr, info *types.Info) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	fun := ast.Unparen(call.Fun)
	switch f := fun.(type) { // an instantiated generic function: gen[int]()
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	var id *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	case *ast.FuncLit: // func() error { ... }(): written here, so the suite's own
		return true
	default:
		return false
	}
	obj := info.Uses[id]
	return obj != nil && obj.Pkg() != nil && strings.HasPrefix(obj.Pkg().Path(), "github.com/dlt5/verify")
}

// callResults returns the result types of a call expression (nil for anything else).
func callResults(e ast.Expr, info *types.Info) *types.Tuple {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return nil
	}
	sig, ok := info.Types[call.Fun].Type.(*types.Signature)
	if !ok {
		return nil
	}
	return sig.Results()
}

// isResults reports whether t is a slice or array of claim.Result, or a named type of one.
func isResults(t types.Type) bool {
	if t == nil {
		return false
	}
	var elem types.Type
	switch t := t.Underlying().(type) {
	case *types.Slice:
		elem = t.Elem()
	case *types.Array:
		elem = t.Elem()
	default:
		return false
	}
	named, ok := elem.(*types.Named)
	return ok && named.Obj().Name() == "Result" && named.Obj().Pkg().Path() == "github.com/dlt5/verify/props/claim"
}

// constBound reports whether a slice bound is absent or a constant.
func constBound(e ast.Expr, info *types.Info) bool {
	return e == nil || info.Types[e].Value != nil
}

// shapeSample has one violation on each line marked "// bad" and none elsewhere: TestShapeCatches
// holds shapeViolations to it.
const shapeSample = `package props

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dlt5/verify/props/claim"
)

type named []claim.Result

func two() (int, error)    { return 0, nil }
func one() error           { return errors.New("x") }
func rows() []claim.Result { return nil }
func gen[T any]() error    { return nil }

func sample() {
	_, _ = two() // bad
	x, _ := two() // bad
	_ = (one()) // bad
	var y, _ = two() // bad
	a, _ := 1, one() // bad
	one() // bad
	defer one() // bad
	go one() // bad
	r := rows()
	_ = r[3] // bad
	_ = rows()[1:2] // bad
	_ = r[len(r)-1] // bad
	var n named
	_ = n[2] // bad
	_ = n[:1] // bad
	_ = r[len(r)-2:] // bad
	var arr [3]claim.Result
	_ = arr[1] // bad
	gen[int]() // bad
	func() error { return nil }() // bad
	v, err := two()
	_ = err // bad
	if err != nil {
		return
	}
	for i := range r {
		_ = r[i]
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%d", v)
	fmt.Fprintf(&buf, "%d", len(n))
	_, _ = x, y
	_ = a
}
`

// TestShapeCatches: each form of violation in shapeSample is reported on its line, and nothing
// else is.
func TestShapeCatches(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("type-checks a sample against props' imports: not in -short")
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "sample.go", shapeSample, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: exportImporter(t, fset)}
	if _, err := conf.Check("github.com/dlt5/verify/props", fset, []*ast.File{f}, info); err != nil {
		t.Fatalf("type-checking the sample: %v", err)
	}
	want := map[int]bool{}
	for i, line := range strings.Split(shapeSample, "\n") {
		if strings.HasSuffix(line, "// bad") {
			want[i+1] = true
		}
	}
	got := map[int]bool{}
	for _, v := range shapeViolations(fset, f, info) {
		var line int
		if _, err := fmt.Sscanf(strings.TrimPrefix(v, "sample.go:"), "%d", &line); err != nil {
			t.Fatalf("unparsable violation %q", v)
		}
		if !want[line] {
			t.Errorf("reported a line that breaks no rule: %s", v)
		}
		got[line] = true
	}
	for line := range want {
		if !got[line] {
			t.Errorf("line %d of the sample breaks a rule and was not reported: %s", line, strings.Split(shapeSample, "\n")[line-1])
		}
	}
}

// TestShapeForeignPackage: a file of another package (an external props_test) is reported, and
// the props files beside it are still read.
func TestShapeForeignPackage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, src := range map[string]string{"a.go": "package props\n", "a_ext_test.go": "package props_test\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, files, foreign := parseProps(t, dir)
	if len(files) != 1 || len(foreign) != 1 || !strings.Contains(foreign[0], "package props_test") {
		t.Errorf("files %d, foreign %q", len(files), foreign)
	}
}
