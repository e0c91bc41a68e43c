// Package lockfile keeps two runs from writing the same output: an exclusive
// advisory lock (flock) on a file beside it, released by the kernel when the
// process ends, however it ends — a kill -9 never leaves a stale lock.
package lockfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// BusyError reports an output another run holds.
type BusyError struct {
	What, Path string
	PID        int // the holder's process id, 0 when unknown
}

func (e *BusyError) Error() string {
	who := "another awsgraph run"
	if e.PID > 0 {
		who += fmt.Sprintf(" (pid %d)", e.PID)
	}
	return fmt.Sprintf("%s %s is in use by %s; wait for it to finish or choose another path", e.What, e.Path, who)
}

// Lock is a held lock.
type Lock struct{ f *os.File }

// Acquire takes the lock file at path for what (a description such as
// "output directory x") without waiting; a held lock is a *BusyError.
func Acquire(path, what, target string) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, target, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s %s: cannot create its lock file: %w", what, target, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			data, _ := os.ReadFile(path)
			pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
			return nil, &BusyError{What: what, Path: target, PID: pid}
		}
		return nil, fmt.Errorf("%s %s: locking: %w", what, target, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release frees the lock (closing the file releases the flock).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
