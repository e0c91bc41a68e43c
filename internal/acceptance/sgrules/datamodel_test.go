package sgrules_test

import (
	"path/filepath"
	"testing"

	"github.com/awsgraph/awsgraph/internal/acceptance/j1check"
	"github.com/awsgraph/awsgraph/internal/testbed"
)

// TestSecurityGroupAccountConformsToDataModel collects this package's
// adversarial security-group account and checks every graph object with
// JupiterOne's own data model (tools/j1validate).
func TestSecurityGroupAccountConformsToDataModel(t *testing.T) {
	t.Parallel()
	j1check.Available(t)
	srv := testbed.Server(t)
	acct := testbed.NewAccountID(t)
	testbed.Binary(t)
	seed(t, srv, acct)
	dir := t.TempDir()
	collectWith(t, srv.URL, acct, dir, "--no-db")
	j1check.Check(t, filepath.Join(dir, "out"))
}
