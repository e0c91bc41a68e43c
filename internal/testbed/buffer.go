package testbed

import (
	"bytes"
	"sync"
)

// SyncBuffer is a bytes.Buffer safe to read while a child process writes
// to it (exec.Cmd copies its output from another goroutine).
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
