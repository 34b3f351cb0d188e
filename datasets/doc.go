// Package datasets will build Wenzheng's open-data releases: redacted
// messages, replies, ratings and metrics as CSV, Parquet and NDJSON with
// datapackage.json, checksums and rankings.sql. Releases live under the
// data directory's releases/ folder.
package datasets
