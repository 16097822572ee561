// Command neosync is the Neosync CLI: connections, jobs, runs and declarative
// apply against the Neosync API. Every failure is printed as one line on
// stderr with a non-zero exit code.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/neosyncio/neosync/cli/internal/cmd/root"
	"github.com/neosyncio/neosync/cli/internal/session"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.NewCommand(session.New()).ExecuteContext(ctx)
	if err == nil {
		return
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || err.Error() == "canceled") {
		err = errors.New("interrupted")
	}
	fmt.Fprintln(os.Stderr, "neosync: "+oneLine(err.Error()))
	stop()
	os.Exit(1)
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
