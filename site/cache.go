package site

import "sync"

// pageCache keeps rendered pages for the current data version only: pages
// change only when new metrics are computed, so a page is built once per
// version and language, and a new version drops everything older.
//
// The cache holds at most maxCachedBytes of pages: every search and thread
// is a key of its own, so a crawler must not be able to grow it without
// end. When full, pages are simply built again (no eviction bookkeeping:
// the hot pages were cached first).
type pageCache struct {
	mu      sync.Mutex
	version int64
	pages   map[string][]byte
	bytes   int
}

// maxCachedBytes bounds the memory of cached pages.
const maxCachedBytes = 64 << 20

func (c *pageCache) get(version int64, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return nil, false
	}
	b, ok := c.pages[key]
	return b, ok
}

func (c *pageCache) put(version int64, key string, page []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version || c.pages == nil {
		if version < c.version {
			return // a slow request built a page from older data
		}
		c.version, c.pages, c.bytes = version, make(map[string][]byte), 0
	}
	if _, ok := c.pages[key]; ok || c.bytes+len(page) > maxCachedBytes {
		return
	}
	c.pages[key] = page
	c.bytes += len(page)
}
