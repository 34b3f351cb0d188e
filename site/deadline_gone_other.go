//go:build !linux

package site

import "net"

// clientGone cannot look at a connection on this system: a request ends
// at its deadline only.
func clientGone(net.Conn) bool { return false }
