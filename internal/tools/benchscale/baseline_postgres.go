package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

//go:embed baseline_postgres.sql
var postgresBaselineSQL string

// pgCluster is a throwaway PostgreSQL cluster: its data directory and
// Unix socket live in dir, it listens on no TCP address, and trust
// authentication lets the local superuser in.
type pgCluster struct {
	bin, dir string
	port     int
	runAs    []string // the prefix running the server as an unprivileged user (root only)
}

// The server's settings: a throwaway cluster needs no durability (what
// any bulk load into a scratch database would turn off), and the query
// gets the memory a tuned installation would give it.
var pgSettings = []string{
	"listen_addresses=''", "fsync=off", "synchronous_commit=off", "full_page_writes=off",
	"shared_buffers=512MB", "work_mem=256MB", "maintenance_work_mem=512MB", "max_wal_size=4GB",
}

// runPostgresBaseline starts a cluster, loads the CSV and the regions with
// COPY, runs the core query, and stops and removes the cluster, whatever
// happened.
func runPostgresBaseline(ctx context.Context, o baselineOptions, in baselineInput) (res engineResult, err error) {
	c, err := startPostgres(ctx, o)
	if c != nil {
		defer func() {
			if serr := c.stop(); serr != nil && err == nil {
				err = serr
			}
		}()
	}
	if err != nil {
		return res, err
	}
	for _, p := range []string{o.CSV, in.regionsCSV} {
		if strings.ContainsAny(p, "'\n") {
			return res, fmt.Errorf("cannot \\copy from %q: a quote in the name", p)
		}
	}
	var cols []string
	for _, h := range in.header {
		typ := "text"
		if h == "posted_at" || h == "first_reply_at" {
			typ = "timestamptz"
		}
		cols = append(cols, pgIdent(h)+" "+typ)
	}
	load := strings.Join([]string{
		// local times in the CSV are Asia/Shanghai's, as ingest read them
		"SET TimeZone = 'Asia/Shanghai';",
		"CREATE TABLE messages (" + strings.Join(cols, ", ") + ");",
		// an empty field is NULL, quoted or not
		`\copy messages FROM '` + o.CSV + `' WITH (FORMAT csv, HEADER true, FORCE_NULL (region_code, first_reply_at, status, rating))`,
		"CREATE TABLE regions (region_code text, level text, parent_code text);",
		`\copy regions FROM '` + in.regionsCSV + `' WITH (FORMAT csv, HEADER true)`,
		fmt.Sprintf("CREATE TABLE params AS SELECT timestamptz '%s' AS as_of, %g::float8 AS w_basic;", asOfSQL(in.asOf), baselineWeightBasic),
		"ANALYZE;",
		"",
	}, "\n")
	start := time.Now()
	if _, err := c.psql(ctx, load); err != nil {
		return res, fmt.Errorf("load: %w", err)
	}
	res.Load = time.Since(start)
	start = time.Now()
	out, err := c.psql(ctx, postgresBaselineSQL)
	res.Query = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("query: %w", err)
	}
	res.cells, err = parseCellCSV(out)
	return res, err
}

// startPostgres creates and starts a cluster in a new directory under the
// system's temporary directory (short: a socket path is at most 107
// bytes). PostgreSQL refuses to run as root, so as root the directory is
// given to o.RunAs and initdb and the server run as that user; psql, a
// client, runs as this process over the socket.
func startPostgres(ctx context.Context, o baselineOptions) (*pgCluster, error) {
	for _, b := range []string{"initdb", "pg_ctl", "psql"} {
		if _, err := os.Stat(filepath.Join(o.PGBin, b)); err != nil {
			return nil, fmt.Errorf("PostgreSQL 15 is not installed (Debian package postgresql-15): %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "wzpg")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: o.PGBin, dir: dir}
	if os.Geteuid() == 0 {
		name := o.RunAs
		if name == "" {
			name = "postgres"
			if _, err := user.Lookup(name); err != nil {
				name = "nobody"
			}
		}
		u, err := user.Lookup(name)
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("PostgreSQL will not run as root, and there is no user %s to run it as: %w", name, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.runAs = []string{"runuser", "-u", name, "--"}
	}
	if c.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if _, err := c.server(ctx, "initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-k %s -p %d", dir, c.port)
	for _, s := range pgSettings {
		opts += " -c " + s
	}
	if _, err := c.server(ctx, "pg_ctl", "-D", c.data(), "-l", filepath.Join(dir, "server.log"), "-w", "-t", "120", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		c.stop()
		return nil, fmt.Errorf("%w; server log: %s", err, firstBytes(log, 1000))
	}
	return c, nil
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// server runs a server program of the cluster as its owner.
func (c *pgCluster) server(ctx context.Context, prog string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, c.runAs...), filepath.Join(c.bin, prog)), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.dir // the owner may not be able to enter this process's directory
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", prog, err, firstBytes(bytes.TrimSpace(out), 1000))
	}
	return out, nil
}

// stop stops the server at once (nothing in it is worth a checkpoint) and
// removes the cluster.
func (c *pgCluster) stop() error {
	var err error
	if _, statErr := os.Stat(filepath.Join(c.data(), "postmaster.pid")); statErr == nil {
		_, err = c.server(context.Background(), "pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	}
	if rerr := os.RemoveAll(c.dir); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// psql runs script as the superuser over the socket, stopping at the
// first error, and returns its output as CSV rows without a header.
func (c *pgCluster) psql(ctx context.Context, script string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "psql"), "-X", "-q", "--csv", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", c.dir, "-p", strconv.Itoa(c.port), "-U", "postgres", "-d", "postgres", "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	// the session's settings are the script's, not the environment's
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("psql: %w: %s", err, firstBytes(bytes.TrimSpace(stderr.Bytes()), 1000))
	}
	return stdout.Bytes(), nil
}

// freePort is a TCP port nobody listens on now. The server listens only on
// its socket, whose name carries the port, so this only keeps the name
// apart from any other server's.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// pgIdent is a double-quoted PostgreSQL identifier.
func pgIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
