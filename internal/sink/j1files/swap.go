package j1files

import (
	"errors"
	"io/fs"
	"os"
)

// swapByRenames is the fallback where the file system cannot exchange two
// directories: dst moves to src+".old", src to dst, and the old run to src.
// A crash between the two renames leaves no dst and the previous run in
// src+".old" (not atomic: only where the exchange is unavailable).
func swapByRenames(src, dst string) error {
	old := src + ".old"
	if err := os.Rename(dst, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		os.Rename(old, dst)
		return err
	}
	return os.Rename(old, src)
}
