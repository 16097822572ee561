// Command neosync is the Neosync CLI.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/neosyncio/neosync/cli/internal/cmd/root"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := root.NewCommand(os.Stdout).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "neosync:", err)
		stop()
		os.Exit(1)
	}
}
