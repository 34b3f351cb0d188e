package analytics

// FullShare lets a test compute incrementally whatever the share of the
// data a change touches.
var FullShare = &fullShare
