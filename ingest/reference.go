package ingest

import (
	"context"
	"database/sql"
	"fmt"

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
}

// Department is an answering body within a region.
type Department struct {
	ID         string `json:"department_id"`
	Name       string `json:"name"`
	NameEn     string `json:"name_en,omitempty"`
	RegionCode string `json:"region_code,omitempty"`
}

// UpsertReference stores regions and departments, replacing earlier
// versions of the same codes, in one transaction.
func UpsertReference(ctx context.Context, db *store.DB, regions []Region, departments []Department) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, r := range regions {
			switch r.Level {
			case "province", "city", "county":
			default:
				return fmt.Errorf("region %s: unknown level %q", r.Code, r.Level)
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO regions (region_code, name, name_en, level, parent_code) VALUES (?, ?, ?, ?, ?)`,
				r.Code, r.Name, nullStr(r.NameEn), r.Level, nullStr(r.ParentCode)); err != nil {
				return fmt.Errorf("region %s: %w", r.Code, err)
			}
		}
		for _, d := range departments {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO departments (department_id, name, name_en, region_code) VALUES (?, ?, ?, ?)`,
				d.ID, d.Name, nullStr(d.NameEn), nullStr(d.RegionCode)); err != nil {
				return fmt.Errorf("department %s: %w", d.ID, err)
			}
		}
		return nil
	})
}
