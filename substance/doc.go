// Package substance classifies a department's reply to a citizen's message by what it says: acknowledgment only,
// forwarded only, or substantive; it also gives explainable evidence bits, a relevance share and a SimHash
// fingerprint so that a department's reused templates can be found by Cluster. Pure Go, deterministic, no model.
//
// First version: the rules are being refined (see the issue 14 notes).
package substance
