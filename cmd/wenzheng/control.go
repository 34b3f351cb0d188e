package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/wenzheng-transparency/wenzheng/store"
)

// While `wenzheng serve` runs it holds the database read-write, and DuckDB
// lets no other process open the file then, not even to read. The
// read-only commands therefore read through the running server: serve
// listens on a Unix socket in the data directory (serve.sock, reachable
// only by the user who may open the database file anyway), and a command
// that finds the database held sends its arguments there; the server runs
// the same command on its own connection and streams back what it prints.
// The public HTTP API is not used for this: `rejects` prints raw input rows,
// which may hold personal data, and `runs` internal errors.

// servedCommands may run inside the server for another process.
var servedCommands = []string{"runs", "rejects", "rank", "scorecard"}

// socketName is the control socket's name in the data directory.
const socketName = "serve.sock"

// maxSocketPath is the longest path a Unix socket can be bound at on
// every supported system (sockaddr_un holds 104 bytes on the BSDs).
const maxSocketPath = 103

func socketPath(dataDir string) string { return filepath.Join(dataDir, socketName) }

// servedKey marks a context of a command run inside the server.
type servedKey struct{}

// served returns the server's database when the command runs inside it.
func served(ctx context.Context) (*store.DB, bool) {
	db, ok := ctx.Value(servedKey{}).(*store.DB)
	return db, ok
}

// frame is one message on the control socket: output (O to stdout, E to
// stderr), or the end with the command's error and exit code. Output is
// bytes (base64 in the JSON): a write may end inside a character.
type frame struct {
	O    []byte `json:"o,omitempty"`
	E    []byte `json:"e,omitempty"`
	Done bool   `json:"done,omitempty"`
	Err  string `json:"err,omitempty"`
	Code int    `json:"code,omitempty"`
}

type frameWriter struct {
	mu     *sync.Mutex
	enc    *json.Encoder
	stderr bool
}

func (w frameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := frame{O: p}
	if w.stderr {
		f = frame{E: p}
	}
	if err := w.enc.Encode(f); err != nil {
		return 0, err
	}
	return len(p), nil
}

// controlServer answers the read-only commands of other processes.
type controlServer struct {
	ln   net.Listener
	db   *store.DB
	log  *slog.Logger
	wg   sync.WaitGroup
	sem  chan struct{}
	stop context.CancelFunc
}

// listenControl opens the control socket of dataDir. The caller holds the
// database, so no other server can be using a socket file found there.
func listenControl(dataDir string, db *store.DB, log *slog.Logger) (*controlServer, error) {
	path := socketPath(dataDir)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("the path %s is too long for a Unix socket (at most %d bytes): read-only commands cannot reach this server; use a shorter --data path", path, maxSocketPath)
	}
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return &controlServer{ln: ln, db: db, log: log, sem: make(chan struct{}, 4)}, nil
}

// serve accepts commands until Close.
func (s *controlServer) serve(ctx context.Context) {
	ctx, s.stop = context.WithCancel(ctx)
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			select {
			case s.sem <- struct{}{}:
				defer func() { <-s.sem }()
			case <-ctx.Done():
				return
			}
			s.handle(ctx, conn)
		}()
	}
}

// Close stops accepting, cancels the commands under way and waits for them,
// so the database can be closed after.
func (s *controlServer) Close() {
	s.ln.Close()
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
}

func (s *controlServer) handle(ctx context.Context, conn net.Conn) {
	conn.SetDeadline(time.Now().Add(5 * time.Minute))
	var req struct{ Args []string }
	if err := json.NewDecoder(io.LimitReader(conn, 64<<10)).Decode(&req); err != nil {
		return
	}
	enc := json.NewEncoder(conn)
	var mu sync.Mutex
	stdout, stderr := frameWriter{&mu, enc, false}, frameWriter{&mu, enc, true}
	var err error
	if len(req.Args) == 0 || !slices.Contains(servedCommands, req.Args[0]) {
		err = fmt.Errorf("%w: the server runs only %v for other processes", errUsage, servedCommands)
	} else {
		s.log.Info("command from another process", "command", req.Args[0])
		err = run(context.WithValue(ctx, servedKey{}, s.db), req.Args, stdout, stderr)
	}
	end := frame{Done: true}
	if err != nil {
		end.Err, end.Code = err.Error(), exitCode(err)
	}
	mu.Lock()
	enc.Encode(end)
	mu.Unlock()
}

// remoteError is a command's error as the server reported it.
type remoteError struct {
	msg  string
	code int
}

func (e *remoteError) Error() string { return e.msg }

// askServer runs args in the server listening in dataDir, copying what it
// prints. ok is false when no server answers there.
func askServer(ctx context.Context, dataDir string, args []string, stdout, stderr io.Writer) (ok bool, err error) {
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := d.DialContext(dctx, "unix", socketPath(dataDir))
	if err != nil {
		return false, nil
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := json.NewEncoder(conn).Encode(struct{ Args []string }{args}); err != nil {
		return false, nil
	}
	dec := json.NewDecoder(bufio.NewReader(conn))
	for {
		var f frame
		if err := dec.Decode(&f); err != nil {
			if ctx.Err() != nil {
				return true, ctx.Err()
			}
			return true, fmt.Errorf("the running server stopped answering: %w", err)
		}
		switch {
		case f.Done:
			if f.Err != "" {
				return true, &remoteError{f.Err, f.Code}
			}
			return true, nil
		case len(f.O) > 0:
			if _, err := stdout.Write(f.O); err != nil {
				return true, err
			}
		case len(f.E) > 0:
			stderr.Write(f.E)
		}
	}
}

// heldError says the database is held by another process (serve), for a
// read-only command that may then ask the server.
type heldError struct {
	err     error // wraps store.ErrLocked, with what to do
	dataDir string
}

func (e *heldError) Error() string { return e.err.Error() }
func (e *heldError) Unwrap() error { return e.err }

// throughServer wraps a read-only command: when the database is held, the
// command runs in the server that holds it, if one answers.
func throughServer(name string, fn func(ctx context.Context, args []string, stdout, stderr io.Writer) error) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		err := fn(ctx, args, stdout, stderr)
		var held *heldError
		if _, inServer := served(ctx); inServer || !errors.As(err, &held) {
			return err
		}
		if ok, rerr := askServer(ctx, held.dataDir, append([]string{name}, args...), stdout, stderr); ok {
			return rerr
		}
		return err
	}
}
