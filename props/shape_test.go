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
	fset, files := parseProps(t)
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: exportImporter(t, fset)}
	if _, err := conf.Check("github.com/dlt5/verify/props", fset, files, info); err != nil {
		t.Fatalf("type-checking props: %v", err)
	}
	var bad []string
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

// parseProps parses every .go file of this directory in package props.
func parseProps(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name == "props" {
			files = append(files, f)
		}
	}
	return fset, files
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

// shapeViolations lists f's discarded errors and constant picks of claim results.
func shapeViolations(fset *token.FileSet, f *ast.File, info *types.Info) []string {
	var out []string
	report := func(n ast.Node, what string) {
		out = append(out, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	errType := types.Universe.Lookup("error").Type()
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Rhs) != 1 {
				return true
			}
			results := callResults(n.Rhs[0], info)
			for i, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == "_" && results != nil && i < results.Len() && types.Identical(results.At(i).Type(), errType) {
					report(n, "an error assigned to _")
				}
			}
		case *ast.ExprStmt:
			if results := callResults(n.X, info); results != nil && results.Len() > 0 && ownCall(n.X, info) &&
				types.Identical(results.At(results.Len()-1).Type(), errType) {
				report(n, "an error dropped by a call statement")
			}
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
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	var id *ast.Ident
	switch f := call.Fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return false
	}
	obj := info.Uses[id]
	return obj != nil && obj.Pkg() != nil && strings.HasPrefix(obj.Pkg().Path(), "github.com/dlt5/verify")
}

// callResults returns the result types of a call expression (nil for anything else).
func callResults(e ast.Expr, info *types.Info) *types.Tuple {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil
	}
	sig, ok := info.Types[call.Fun].Type.(*types.Signature)
	if !ok {
		return nil
	}
	return sig.Results()
}

// isResults reports whether t is a slice or array of claim.Result.
func isResults(t types.Type) bool {
	var elem types.Type
	switch t := t.(type) {
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
