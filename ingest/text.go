package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// RefreshText brings message_text up to date: the redacted title and body of
// every message whose row changed since its text was redacted, or whose
// text was redacted under an older redact.Version. Search runs over this text
// only, so no query can confirm what the pages mask. It returns how many
// messages it redacted. With run > 0 it looks only at the messages that run
// saw (the loader's refresh, which must not scan every message after every
// file); run 0 looks at all (the pipeline's catch-up at start).
func RefreshText(ctx context.Context, db *store.DB, run int64) (int, error) {
	if _, err := db.ExecContext(ctx, `CREATE OR REPLACE TABLE _text_stage (
		source VARCHAR, source_id VARCHAR, row_hash VARCHAR, title VARCHAR, body VARCHAR, search VARCHAR)`); err != nil {
		return 0, err
	}
	defer db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS _text_stage`)
	// The stale rows stream from one connection while the appender writes
	// on another: memory does not grow with the number of messages.
	rows, err := db.QueryContext(ctx, `SELECT m.source, m.source_id, m.row_hash, m.title, m.body
		FROM messages m LEFT JOIN message_text t USING (source, source_id)
		WHERE (? = 0 OR m.last_seen_run = ?) AND (t.source IS NULL OR t.row_hash <> m.row_hash OR t.redact_version <> ?)`,
		run, run, redact.Version)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	err = db.Append(ctx, "_text_stage", func(appendRow func(...driver.Value) error) error {
		for rows.Next() {
			var source, id, hash string
			var title, body sql.NullString
			if err := rows.Scan(&source, &id, &hash, &title, &body); err != nil {
				return err
			}
			t, b := redactNull(title), redactNull(body)
			if err := appendRow(source, id, hash, t, b, searchText(t, b)); err != nil {
				return err
			}
			n++
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("redact message text: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM message_text t USING _text_stage s
			WHERE t.source = s.source AND t.source_id = s.source_id`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO message_text (source, source_id, row_hash, redact_version, title, body, search)
			SELECT source, source_id, row_hash, ?, title, body, search FROM _text_stage`, redact.Version)
		return err
	})
	return n, err
}

// SearchText is what a search matches: the redacted title and body in lower
// case, on two lines (so a query cannot match across them).
func searchText(title, body driver.Value) string {
	t, _ := title.(string)
	b, _ := body.(string)
	return strings.ToLower(t) + "\n" + strings.ToLower(b)
}

// SearchQuery is a search's words as searchText holds them.
func SearchQuery(q string) string { return strings.ToLower(q) }

func redactNull(s sql.NullString) driver.Value {
	if !s.Valid {
		return nil
	}
	return redact.String(s.String)
}

// maskLabels masks personal data in a record's short texts and codes before
// they are stored: channel, kind, category, region and department codes
// (a mapping derives a department's id from its name). These are labels,
// keys and URL segments that every page, chart, API answer, extract and
// release repeats, so they are kept masked at rest; the raw row stays in
// the archived input. Titles, bodies and replies are stored as given and
// masked on the way out (message_text for search).
func maskLabels(r *Record) {
	r.Channel, r.Kind, r.Category = redact.String(r.Channel), redact.String(r.Kind), redact.String(r.Category)
	r.RegionCode, r.DepartmentID = redact.String(r.RegionCode), redact.String(r.DepartmentID)
	for i := range r.Replies {
		r.Replies[i].DepartmentID = redact.String(r.Replies[i].DepartmentID)
	}
}

// labelColumns are the stored labels MaskStoredLabels masks again. Codes
// are left alone: they are keys across tables and in published URLs, and
// are masked when loaded (maskLabels, stageReference).
var labelColumns = [][2]string{
	{"regions", "name"}, {"regions", "name_en"}, {"departments", "name"}, {"departments", "name_en"},
	{"messages", "channel"}, {"messages", "kind"}, {"messages", "category"},
}

// MaskStoredLabels masks the labels of a database loaded under older
// redaction rules (or before labels were masked at all), once per
// redact.Version, and returns how many distinct values it changed. Its
// caller recomputes when any changed (category names are in the metrics).
func MaskStoredLabels(ctx context.Context, db *store.DB) (int, error) {
	const key = "labels_redact_version"
	if v, err := db.Meta(ctx, key); err != nil || v == strconv.Itoa(redact.Version) {
		return 0, err
	}
	changed := 0
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, tc := range labelColumns {
			rows, err := tx.QueryContext(ctx, `SELECT DISTINCT `+tc[1]+` FROM `+tc[0]+` WHERE `+tc[1]+` IS NOT NULL`)
			if err != nil {
				return err
			}
			var from, to []string
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					rows.Close()
					return err
				}
				if m := redact.String(v); m != v {
					from, to = append(from, v), append(to, m)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for i := range from {
				if _, err := tx.ExecContext(ctx, `UPDATE `+tc[0]+` SET `+tc[1]+` = ? WHERE `+tc[1]+` = ?`, to[i], from[i]); err != nil {
					return fmt.Errorf("mask %s.%s: %w", tc[0], tc[1], err)
				}
			}
			changed += len(from)
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, key, strconv.Itoa(redact.Version))
		return err
	})
	return changed, err
}
