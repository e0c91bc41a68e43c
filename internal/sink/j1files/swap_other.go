//go:build !linux

package j1files

func swapDir(src, dst string) error { return swapByRenames(src, dst) }
