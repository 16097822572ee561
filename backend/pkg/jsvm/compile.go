package jsvm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// SyntaxError is a syntax error in user JavaScript. Line and Column are
// 1-based and count from the start of the code as the user wrote it.
type SyntaxError struct {
	Line, Column int
	Message      string
}

// Error formats the error as "line L, column C: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// maxNesting bounds the bracket nesting of code the sandbox compiles (the
// user's code and strings given to eval or Function), because goja's parser
// and compiler recurse on the Go stack and a deep enough nesting would
// overflow it and crash the process.
const maxNesting = 500

// Program is user code compiled as the body of a function, ready for New.
// It is immutable and may be shared by any number of VMs.
type Program struct {
	prog   *goja.Program
	params int
}

// Compile compiles code as the body of a function with the given parameter
// names (a VM's Call passes that many arguments). A syntax error, or code
// that is not exactly a function body (one that closes the wrapper early),
// is a *SyntaxError with the line and column in code.
func Compile(code string, params ...string) (*Program, error) {
	prog, err := compile(strings.Join(params, ", "), code)
	if err != nil {
		return nil, err
	}
	return &Program{prog: prog, params: len(params)}, nil
}

// compile compiles code as the body of a function with the given parameters;
// running the program yields the function.
func compile(params, code string) (*goja.Program, error) {
	setRegexpMatchTimeout() // regular expression literals are compiled here
	if err := checkNesting(code); err != nil {
		return nil, err
	}
	// The body starts on line 2, so error lines are shifted by one and
	// columns are unchanged.
	src := "(function(" + params + ") {\n" + code + "\n})"
	prog, err := parser.ParseFile(nil, "code", src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return nil, syntaxError(code, list[0].Position.Line, list[0].Position.Column, list[0].Message)
		}
		return nil, &SyntaxError{Line: 1, Column: 1, Message: err.Error()}
	}
	// Code such as "}); other(); (function() {" closes the wrapper early;
	// the program must be exactly one function expression.
	if len(prog.Body) != 1 {
		return nil, syntaxError(code, 1, 1, "code must be the body of a function (unbalanced braces?)")
	}
	stmt, ok := prog.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil, syntaxError(code, 1, 1, "code must be the body of a function (unbalanced braces?)")
	}
	if _, ok := stmt.Expression.(*ast.FunctionLiteral); !ok {
		return nil, syntaxError(code, 1, 1, "code must be the body of a function (unbalanced braces?)")
	}
	p, err := goja.CompileAST(prog, false)
	if err != nil {
		var ce *goja.CompilerSyntaxError
		if errors.As(err, &ce) && ce.File != nil {
			pos := ce.File.Position(ce.Offset)
			return nil, syntaxError(code, pos.Line, pos.Column, ce.Message)
		}
		return nil, &SyntaxError{Line: 1, Column: 1, Message: err.Error()}
	}
	return p, nil
}

// syntaxError maps a position in the wrapped source to one in code.
func syntaxError(code string, line, col int, msg string) *SyntaxError {
	line--
	lines := strings.Count(code, "\n") + 1
	switch {
	case line < 1:
		line, col = 1, 1
	case line > lines:
		line = lines
		col = len(code) - strings.LastIndexByte(code, '\n')
	}
	if col < 1 {
		col = 1
	}
	return &SyntaxError{Line: line, Column: col, Message: msg}
}

// checkNesting rejects code whose brackets nest deeper than maxNesting.
// It counts every bracket, including those in strings and comments, so it
// is conservative.
func checkNesting(code string) error {
	depth, line, col := 0, 1, 0
	for i := 0; i < len(code); i++ {
		col++
		switch code[i] {
		case '(', '[', '{':
			depth++
			if depth > maxNesting {
				return &SyntaxError{Line: line, Column: col, Message: fmt.Sprintf("brackets nested more than %d deep", maxNesting)}
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		case '\n':
			line, col = line+1, 0
		}
	}
	return nil
}
