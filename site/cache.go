package site

import "sync"

// pageCache keeps rendered pages for the current data version only: pages
// change only when new metrics are computed, so a page is built once per
// version and language, and a new version drops everything older.
type pageCache struct {
	mu      sync.Mutex
	version int64
	pages   map[string][]byte
}

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
		c.version, c.pages = version, make(map[string][]byte)
	}
	c.pages[key] = page
}
