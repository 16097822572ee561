package transformers

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// JavaScriptError is a syntax error in user JavaScript. Line and Column are
// 1-based and count from the start of the code as the user wrote it.
type JavaScriptError struct {
	Line, Column int
	Message      string
}

// Error formats the error as "line L, column C: message".
func (e *JavaScriptError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
}

// jsTransformParams and jsGenerateParams are the parameter lists of the
// function the user's code is the body of.
const (
	jsTransformParams = "value, input"
	jsGenerateParams  = ""
)

// jsMaxNesting bounds the bracket nesting of code the sandbox compiles (the
// user's code and strings given to eval or Function), because goja's parser
// and compiler recurse on the Go stack and a deep enough nesting would
// overflow it and crash the process.
const jsMaxNesting = 500

// ValidateJavaScript reports whether code compiles as the body of a
// transform_javascript function (receiving value and input). A syntax error
// is a *JavaScriptError with the line and column in code.
func ValidateJavaScript(code string) error {
	_, err := compileJSFunction(jsTransformParams, code)
	return err
}

// compileJSFunction compiles code as the body of a function with the given
// parameters; running the program yields the function.
func compileJSFunction(params, code string) (*goja.Program, error) {
	setRegexpMatchTimeout() // regular expression literals are compiled here
	if err := checkJSNesting(code); err != nil {
		return nil, err
	}
	// The body starts on line 2, so error lines are shifted by one and
	// columns are unchanged.
	src := "(function(" + params + ") {\n" + code + "\n})"
	prog, err := parser.ParseFile(nil, "code", src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return nil, jsSyntaxError(code, list[0].Position.Line, list[0].Position.Column, list[0].Message)
		}
		return nil, &JavaScriptError{Line: 1, Column: 1, Message: err.Error()}
	}
	// Code such as "}); other(); (function() {" closes the wrapper early;
	// the program must be exactly one function expression.
	if len(prog.Body) != 1 {
		return nil, jsSyntaxError(code, 1, 1, "code must be the body of a function (unbalanced braces?)")
	}
	stmt, ok := prog.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil, jsSyntaxError(code, 1, 1, "code must be the body of a function (unbalanced braces?)")
	}
	if _, ok := stmt.Expression.(*ast.FunctionLiteral); !ok {
		return nil, jsSyntaxError(code, 1, 1, "code must be the body of a function (unbalanced braces?)")
	}
	p, err := goja.CompileAST(prog, false)
	if err != nil {
		var ce *goja.CompilerSyntaxError
		if errors.As(err, &ce) && ce.File != nil {
			pos := ce.File.Position(ce.Offset)
			return nil, jsSyntaxError(code, pos.Line, pos.Column, ce.Message)
		}
		return nil, &JavaScriptError{Line: 1, Column: 1, Message: err.Error()}
	}
	return p, nil
}

// jsSyntaxError maps a position in the wrapped source to one in code.
func jsSyntaxError(code string, line, col int, msg string) *JavaScriptError {
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
	return &JavaScriptError{Line: line, Column: col, Message: msg}
}

// checkJSNesting rejects code whose brackets nest deeper than jsMaxNesting.
// It counts every bracket, including those in strings and comments, so it
// is conservative.
func checkJSNesting(code string) error {
	depth, line, col := 0, 1, 0
	for i := 0; i < len(code); i++ {
		col++
		switch code[i] {
		case '(', '[', '{':
			depth++
			if depth > jsMaxNesting {
				return &JavaScriptError{Line: line, Column: col, Message: fmt.Sprintf("brackets nested more than %d deep", jsMaxNesting)}
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
