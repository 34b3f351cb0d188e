// Command codesize reports the size of Wenzheng's production code: lines
// per package, the files over -file lines and the functions over -func
// lines (tests and tools excluded), longest first. It exits 1 when a
// file or function is over its limit without a reason: a comment line
// starting "// long:" in the function's doc, or in the file's package
// comment for a file.
//
//	go run ./internal/tools/codesize [-file 500] [-func 80] [DIR]
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	fileMax := flag.Int("file", 500, "longest file, in lines")
	funcMax := flag.Int("func", 80, "longest function, in lines")
	flag.Parse()
	root := "."
	if flag.NArg() > 0 {
		root = flag.Arg(0)
	}
	r, err := measure(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "codesize:", err)
		os.Exit(2)
	}
	if over := r.print(os.Stdout, *fileMax, *funcMax); over > 0 {
		fmt.Printf("%d over the limits without a reason (\"// long: why\")\n", over)
		os.Exit(1)
	}
}

type fileSize struct {
	Path   string
	Lines  int
	Reason bool
}

type funcSize struct {
	Pos    string
	Name   string
	Lines  int
	Reason bool
}

type report struct {
	Packages map[string]int
	Files    []fileSize
	Funcs    []funcSize
}

// measure reads every production .go file under root: not tests, not
// internal/tools, not node_modules.
func measure(root string) (report, error) {
	r := report{Packages: map[string]int{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel == "node_modules" || rel == filepath.Join("internal", "tools") || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && rel != "." {
				return filepath.SkipDir // another module (a copy, a scratch checkout)
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		lines := fset.File(f.Pos()).LineCount()
		r.Packages[filepath.Dir(rel)] += lines
		r.Files = append(r.Files, fileSize{rel, lines, hasReason(f.Doc)})
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			name := fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) > 0 {
				name = recvName(fn.Recv.List[0].Type) + "." + name
			}
			r.Funcs = append(r.Funcs, funcSize{fmt.Sprintf("%s:%d", rel, fset.Position(fn.Pos()).Line), name, n, hasReason(fn.Doc)})
		}
		return nil
	})
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Lines > r.Files[j].Lines })
	sort.Slice(r.Funcs, func(i, j int) bool { return r.Funcs[i].Lines > r.Funcs[j].Lines })
	return r, err
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return recvName(t.X)
	}
	return "?"
}

func hasReason(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		if strings.HasPrefix(c.Text, "// long:") {
			return true
		}
	}
	return false
}

// print writes the report and counts what is over a limit without a reason.
func (r report) print(w *os.File, fileMax, funcMax int) int {
	var pkgs []string
	total := 0
	for p, n := range r.Packages {
		pkgs = append(pkgs, p)
		total += n
	}
	sort.Strings(pkgs)
	fmt.Fprintln(w, "lines per package (production .go files):")
	for _, p := range pkgs {
		fmt.Fprintf(w, "  %-22s %6d\n", p, r.Packages[p])
	}
	fmt.Fprintf(w, "  %-22s %6d\n", "total", total)
	over := 0
	fmt.Fprintf(w, "files over %d lines:\n", fileMax)
	for _, f := range r.Files {
		if f.Lines <= fileMax {
			break
		}
		note := ""
		if f.Reason {
			note = " (reason given)"
		} else {
			over++
		}
		fmt.Fprintf(w, "  %-40s %5d%s\n", f.Path, f.Lines, note)
	}
	fmt.Fprintf(w, "functions over %d lines (the longest: %s, %d):\n", funcMax, r.Funcs[0].Name, r.Funcs[0].Lines)
	for _, f := range r.Funcs {
		if f.Lines <= funcMax {
			break
		}
		note := ""
		if f.Reason {
			note = " (reason given)"
		} else {
			over++
		}
		fmt.Fprintf(w, "  %-40s %-34s %4d%s\n", f.Pos, f.Name, f.Lines, note)
	}
	return over
}
