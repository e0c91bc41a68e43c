package collection

import (
	"path/filepath"
	"testing"

	"github.com/awsgraph/awsgraph/internal/acceptance/j1check"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// TestAcceptanceAccountConformsToDataModel collects this package's
// acceptance account and checks every graph object with JupiterOne's own
// data model (tools/j1validate).
func TestAcceptanceAccountConformsToDataModel(t *testing.T) {
	j1check.Available(t)
	srv := testbed.Server(t)
	testbed.Binary(t)
	acct := testbed.NewAccountID(t)
	seed(t, srv, acct)
	dir := t.TempDir()
	collect(t, srv.URL, acct, dir, true)
	j1check.Check(t, filepath.Join(dir, "out"))
}
