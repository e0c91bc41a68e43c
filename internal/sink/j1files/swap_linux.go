package j1files

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// swapDir puts src at dst and the old dst at src, atomically
// (renameat2 RENAME_EXCHANGE); when dst does not exist, a plain rename.
func swapDir(src, dst string) error {
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOENT):
		if err := os.Rename(src, dst); err != nil {
			return err
		}
		return os.MkdirAll(src, 0o755) // Commit removes src: the "old" run is empty
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		return swapByRenames(src, dst)
	}
	return err
}
