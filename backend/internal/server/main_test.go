package server_test

import (
	"os"
	"testing"

	"github.com/neosyncio/neosync/backend/internal/apitest"
)

// TestMain shares one Temporal dev server across the package's tests.
func TestMain(m *testing.M) { os.Exit(apitest.Main(m)) }
