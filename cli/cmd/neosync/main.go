// Command neosync is the Neosync CLI: connections, jobs, runs and declarative
// apply against the Neosync API. Every failure is printed as one line on
// stderr with the exit code package exitcode documents (2 usage, 3 not
// found or not allowed, 4 run failed, 130 interrupted, 1 otherwise).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/cli/internal/cmd/root"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
	"github.com/neosyncio/neosync/cli/internal/session"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "js-runner" {
		// The child `neosync sync` starts to run JavaScript transformers
		// (package jsrunner); it reads no configuration.
		os.Exit(jsrunner.Main())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.NewCommand(session.New()).ExecuteContext(ctx)
	if err == nil {
		return
	}
	code := exitcode.Of(err)
	if ctx.Err() != nil {
		code = exitcode.Interrupted
		if errors.Is(err, context.Canceled) || err.Error() == "canceled" {
			err = errors.New("interrupted")
		}
	}
	fmt.Fprintln(os.Stderr, "neosync: "+oneLine(err.Error()))
	stop()
	os.Exit(code)
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
