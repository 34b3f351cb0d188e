package site

// recordReader is the part of the read API over the records themselves:
// message search and its options, threads, runs and rejects for /status.
type recordReader interface {
}
