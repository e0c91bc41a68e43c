package lockfile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecondAcquireIsRefusedUntilRelease(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.lock")
	l, err := Acquire(p, "output directory", "out")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(p, "output directory", "out")
	var busy *BusyError
	if !errors.As(err, &busy) || !strings.Contains(err.Error(), "in use by another awsgraph run (pid ") {
		t.Fatalf("second acquire: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(p, "output directory", "out")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}
