package jsrunner

import (
	"encoding/gob"
	"sync"
	"time"
)

// protocolHello is the first message a child sends: it proves the command
// really is a runner (and not, say, a test binary that runs its tests).
const protocolHello = "neosync-js-runner/1"

// request is one message from parent to child: Build (first), a call
// (Value and Row), or a batch of calls (Batch, never empty).
type request struct {
	Build *buildRequest
	Value any
	Row   map[string]any
	Batch []call
}

// call is one evaluation of a batch.
type call struct {
	Value any
	Row   map[string]any
}

// buildRequest asks the child to build its one transformer.
type buildRequest struct {
	Source string
	Config map[string]any
	Key    []byte
	PRF    int
	Seed   uint64
	Column string
}

// response is one message from child to parent.
type response struct {
	Hello   string
	Value   any
	Default bool // the value is transformers.UseColumnDefault
	// Err is the reason of a failed call or build; Param names the
	// parameter of a failed build.
	Err   string
	Param string
	// Batch answers a batch request, call by call, up to and including
	// the first that failed.
	Batch []answer
}

// answer is the result of one call of a batch.
type answer struct {
	Value   any
	Default bool
	Err     string
}

var registerOnce sync.Once

// registerTypes registers the dynamic types that values and rows carry.
func registerTypes() {
	registerOnce.Do(func() {
		gob.Register(map[string]any{})
		gob.Register([]any{})
		gob.Register(time.Time{})
		gob.Register([16]byte{})
		gob.Register([]byte{})
	})
}
