// Package datasets builds Wenzheng's open-data releases and masks the
// personal data in every text that leaves the database (redact.go).
//
// A release (release.go) is an immutable directory under the data
// directory's releases/ folder: redacted messages, replies and ratings,
// metrics by region and by department, rankings and the methodology values,
// each as CSV, CSV for Excel, Parquet and NDJSON (export.go), described by
// release.json (manifest.go), datapackage.json and a README data dictionary
// (docs.go), with SHA256SUMS, a changelog counted against the previous
// release (changes.go) and rankings.sql, which recomputes the rankings from
// the release's own Parquet files with the very SQL the site uses
// (rankings.go). Verify (verify.go) checks a release as a reader would.
package datasets
