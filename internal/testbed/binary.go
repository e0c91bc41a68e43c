package testbed

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// Binary builds cmd/awsgraph once per test process and returns its path;
// Main removes it when the package's tests end.
func Binary(t testing.TB) string {
	t.Helper()
	binaryOnce.Do(func() {
		_, self, _, _ := runtime.Caller(0) // internal/testbed/binary.go
		root := filepath.Join(filepath.Dir(self), "..", "..")
		dir, err := os.MkdirTemp("", "awsgraph-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "awsgraph")
		cmd := exec.Command("go", "build", "-o", binaryPath, "./cmd/awsgraph")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// removeBinary deletes what Binary built.
func removeBinary() {
	if binaryPath != "" {
		os.RemoveAll(filepath.Dir(binaryPath))
	}
}
