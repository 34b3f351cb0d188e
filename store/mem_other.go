//go:build !linux

package store

// physicalMemory is unknown off Linux: MemoryLimit falls back to 4GB.
func physicalMemory() uint64 { return 0 }
