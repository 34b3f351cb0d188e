package site

import (
	"errors"
	"net"
	"syscall"
)

// clientGone peeks at conn without reading from it or waiting: a peer that
// closed its side reads as end of file (or a reset), one that is waiting
// for the answer as nothing to read yet, one that sent its next request
// as data (left for fasthttp to read). Only the handler's goroutine and
// this look at the connection while a request runs: fasthttp reads the
// next request only after the answer.
func clientGone(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	gone := false
	var buf [1]byte
	raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		gone = (n == 0 && err == nil) || errors.Is(err, syscall.ECONNRESET)
		return true // never wait for data
	})
	return gone
}
