package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/config"
	"github.com/wenzheng-transparency/wenzheng/pipeline"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// dataFlags are the flags every command that opens the data directory takes.
type dataFlags struct {
	config, data *string
}

func addDataFlags(fs *flag.FlagSet) dataFlags {
	return dataFlags{
		config: fs.String("config", "", "configuration file (JSON)"),
		data:   fs.String("data", "", "data directory (default ./data, or data_dir from the config)"),
	}
}

func (d dataFlags) load() (config.Config, error) {
	cfg, err := config.Load(*d.config)
	if err != nil {
		return cfg, err
	}
	if *d.data != "" {
		cfg.DataDir = *d.data
	}
	return cfg, nil
}

// serverURLs are where the running server answers its operator: the
// configured listen address as reached from this machine, then public_url
// when one is configured. Either may be missing, never made up.
func serverURLs(cfg config.Config) []string {
	var urls []string
	listen := cfg.Listen
	if _, err := strconv.Atoi(listen); err == nil {
		listen = ":" + listen // a bare port
	}
	if host, port, err := net.SplitHostPort(listen); err == nil && port != "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		urls = append(urls, "http://"+net.JoinHostPort(host, port))
	}
	if cfg.PublicURL != "" {
		urls = append(urls, strings.TrimSuffix(cfg.PublicURL, "/"))
	}
	return urls
}

// serverHint is how to reach the running server at path, for a message.
func serverHint(cfg config.Config, curlArgs, path string) string {
	urls := serverURLs(cfg)
	if len(urls) == 0 {
		return fmt.Sprintf("  curl %s'<the server>%s'  (set listen or public_url in the config)", curlArgs, path)
	}
	var b strings.Builder
	for i, u := range urls {
		if i > 0 {
			b.WriteString("\nor, through public_url:\n")
		}
		fmt.Fprintf(&b, "  curl %s'%s%s'", curlArgs, u, path)
	}
	return b.String()
}

// openStore opens the data directory's database. When `serve` holds it, the
// error says how to get the work done through the server instead.
func openStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
	db, err := store.Open(ctx, pipeline.DBPath(cfg.DataDir))
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w\n\nWhile `wenzheng serve` runs, ask it to run the nightly job now (it loads every\n"+
			"configured source's new files, then recomputes the metrics):\n%s\n"+
			"(the token is admin_token in the config, or WENZHENG_ADMIN_TOKEN), or stop serve and run this command again",
			err, serverHint(cfg, `-X POST -H "Authorization: Bearer $WENZHENG_ADMIN_TOKEN" `, "/api/v1/admin/run"))
	}
	return db, err
}

// errNoData is returned by openReader when the data directory has no database yet.
var errNoData = errors.New("no data yet")

// openReader gives a read-only command the database: the server's own,
// when the command runs inside serve for another process; else the data
// directory's, opened read-only (never created or migrated). When serve
// holds it, the error is a heldError: the command then runs through the
// server (throughServer), or, when no server answers, the error says how
// to read the same from the server's API (apiPath, "" when it has none).
// done releases the database.
func (d dataFlags) openReader(ctx context.Context, apiPath string) (db *store.DB, done func(), err error) {
	if db, ok := served(ctx); ok {
		return db, func() {}, nil
	}
	cfg, err := d.load()
	if err != nil {
		return nil, nil, err
	}
	path := pipeline.DBPath(cfg.DataDir)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: no database at %s: load data first (wenzheng serve, demo or ingest)", errNoData, path)
	}
	db, err = store.OpenReadOnly(ctx, path)
	if errors.Is(err, store.ErrLocked) {
		hint := "stop serve and run this command again"
		if apiPath != "" {
			hint = "read the same data from it:\n" + serverHint(cfg, "", apiPath) + "\nor " + hint
		}
		return nil, nil, &heldError{dataDir: cfg.DataDir, err: fmt.Errorf("%w\n\nNo server answered at %s. While `wenzheng serve` runs, %s",
			err, socketPath(cfg.DataDir), hint)}
	}
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// isTerminal reports whether f is a terminal, where progress is drawn.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
