// Command neosync-worker will run Neosync's data-sync and data-generation
// workflows on Temporal. Until the worker lands it answers `version` and
// refuses `serve` with a clear message, so scripts fail loudly instead of
// believing jobs are running.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: neosync-worker serve | version")
		return 2
	}
	switch args[0] {
	case "version":
		bi := buildinfo.Get()
		fmt.Fprintf(stdout, "neosync-worker %s (commit %s, %s, %s)\n", bi.Version, bi.Commit, bi.GoVersion, bi.Platform)
		return 0
	case "serve":
		fmt.Fprintln(stderr, "neosync-worker: the Temporal worker is not implemented yet; job runs are listed as not done in the README")
		return 1
	}
	fmt.Fprintf(stderr, "neosync-worker: unknown command %q (want serve or version)\n", args[0])
	return 2
}
