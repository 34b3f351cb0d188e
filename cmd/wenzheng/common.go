package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"

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

// serverURL is where a local serve listening on addr answers.
func serverURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// openStore opens the data directory's database. When `serve` holds it, the
// error says how to get the work done through the server instead.
func openStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
	db, err := store.Open(ctx, pipeline.DBPath(cfg.DataDir))
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w\n\nWhile `wenzheng serve` runs, ask it to run the nightly job now (it loads every\n"+
			"configured source's new files, then recomputes the metrics):\n"+
			"  curl -X POST -H \"Authorization: Bearer $WENZHENG_ADMIN_TOKEN\" %s/api/v1/admin/run\n"+
			"(the token is admin_token in the config, or WENZHENG_ADMIN_TOKEN), or stop serve and run this command again",
			err, serverURL(cfg.Listen))
	}
	return db, err
}

// isTerminal reports whether f is a terminal, where progress is drawn.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
