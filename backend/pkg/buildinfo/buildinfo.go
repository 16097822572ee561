// Package buildinfo reports the version of the running binary. Version,
// Commit and Date are set at link time by the Makefile (-ldflags -X); the Go
// version and VCS data fall back to what the toolchain embedded.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"time"
)

// Set with -ldflags "-X github.com/neosyncio/neosync/backend/pkg/buildinfo.Version=…".
var (
	// Version is the release version, "dev" for local builds.
	Version = "dev"
	// Commit is the git commit the binary was built from.
	Commit = ""
	// Date is the build time in RFC 3339.
	Date = ""
)

// Info is the build description shown by `version` commands and the API.
type Info struct {
	Version   string
	Commit    string
	BuildDate time.Time
	GoVersion string
	Platform  string
}

// Get returns the build description of the running binary.
func Get() Info {
	info := Info{Version: Version, Commit: Commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if t, err := time.Parse(time.RFC3339, Date); err == nil {
		info.BuildDate = t
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.BuildDate.IsZero() {
					info.BuildDate, _ = time.Parse(time.RFC3339, s.Value)
				}
			}
		}
	}
	return info
}
