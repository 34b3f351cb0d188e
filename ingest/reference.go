package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/wenzheng-transparency/wenzheng/internal/redact"
	"github.com/wenzheng-transparency/wenzheng/store"
)

// Region is a GB/T 2260 administrative division (or a stable derived code
// where a source has none).
type Region struct {
	Code       string `json:"region_code"`
	Name       string `json:"name"`
	NameEn     string `json:"name_en,omitempty"`
	Level      string `json:"level"` // province, city or county
	ParentCode string `json:"parent_code,omitempty"`
	// Jurisdiction is the root the region belongs to (empty: CN, or the
	// loading source's); a region without a parent is its top tier.
	Jurisdiction string `json:"jurisdiction,omitempty"`
}

// Department is an answering body within a region.
type Department struct {
	ID         string `json:"department_id"`
	Name       string `json:"name"`
	NameEn     string `json:"name_en,omitempty"`
	RegionCode string `json:"region_code,omitempty"`
	// Jurisdiction is the root the department belongs to (empty: CN, or
	// the loading source's).
	Jurisdiction string `json:"jurisdiction,omitempty"`
}

// UpsertReference stores regions and departments, replacing earlier
// versions of the same codes, in one transaction.
func UpsertReference(ctx context.Context, db *store.DB, regions []Region, departments []Department) error {
	if err := stageReference(ctx, db, regions, departments); err != nil {
		return err
	}
	defer dropReferenceStage(ctx, db)
	return db.Tx(ctx, func(tx *sql.Tx) error { return mergeReference(ctx, tx) })
}

// stageReference bulk-loads regions and departments into staging tables:
// thousands of single-row statements would take seconds.
func stageReference(ctx context.Context, db *store.DB, regions []Region, departments []Department) error {
	// Names and codes are stored masked, like a record's labels (maskLabels).
	for i := range regions {
		r := &regions[i]
		r.Code, r.Name, r.NameEn, r.ParentCode = redact.String(r.Code), redact.String(r.Name), redact.String(r.NameEn), redact.String(r.ParentCode)
	}
	for i := range departments {
		d := &departments[i]
		d.ID, d.Name, d.NameEn, d.RegionCode = redact.String(d.ID), redact.String(d.Name), redact.String(d.NameEn), redact.String(d.RegionCode)
	}
	for _, r := range regions {
		switch r.Level {
		case "province", "city", "county":
		default:
			return fmt.Errorf("region %s: unknown level %q", r.Code, r.Level)
		}
	}
	for _, q := range []string{
		`CREATE OR REPLACE TABLE _stage_regions AS SELECT * FROM regions LIMIT 0`,
		`CREATE OR REPLACE TABLE _stage_departments AS SELECT * FROM departments LIMIT 0`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	err := db.Append(ctx, "_stage_regions", func(appendRow func(...driver.Value) error) error {
		for _, r := range regions {
			if err := appendRow(r.Code, r.Name, nullStr(r.NameEn), r.Level, nullStr(r.ParentCode), nullStr(r.Jurisdiction)); err != nil {
				return fmt.Errorf("region %s: %w", r.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return db.Append(ctx, "_stage_departments", func(appendRow func(...driver.Value) error) error {
		for _, d := range departments {
			if err := appendRow(d.ID, d.Name, nullStr(d.NameEn), nullStr(d.RegionCode), nullStr(d.Jurisdiction)); err != nil {
				return fmt.Errorf("department %s: %w", d.ID, err)
			}
		}
		return nil
	})
}

func mergeReference(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO regions SELECT DISTINCT ON (region_code) * FROM _stage_regions`); err != nil {
		return fmt.Errorf("store regions: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO departments SELECT DISTINCT ON (department_id) * FROM _stage_departments`); err != nil {
		return fmt.Errorf("store departments: %w", err)
	}
	return nil
}

func dropReferenceStage(ctx context.Context, db *store.DB) {
	db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS _stage_regions; DROP TABLE IF EXISTS _stage_departments`)
}
