package analytics

// FullShare lets a test compute incrementally whatever the share of the
// data a change touches.
var FullShare = &fullShare

// SetParams sets _params on a connection, as a computation does, for a
// test that runs metrics.sql statement by statement.
var SetParams = setParams
