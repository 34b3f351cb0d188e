// Package contract holds only tests: the ones that tie packages together.
// A metric is defined once, in analytics/metrics.sql, and then reaches
// readers through several hands (the read API's struct, the API schema,
// the methodology text, the open-data field docs); these tests fail when a
// column of the metrics reaches some of them and not the others. See
// CONTRIBUTING.md, "Adding a metric".
package contract
