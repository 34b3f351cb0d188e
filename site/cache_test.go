package site

import "testing"

func TestPageCacheKeepsOnlyTheCurrentVersion(t *testing.T) {
	var c pageCache
	c.put(1, "home/zh", []byte("v1"))
	if b, ok := c.get(1, "home/zh"); !ok || string(b) != "v1" {
		t.Fatalf("get = %q, %v", b, ok)
	}
	if _, ok := c.get(1, "home/en"); ok {
		t.Error("another language hit the cache")
	}
	c.put(2, "home/zh", []byte("v2"))
	if _, ok := c.get(1, "home/zh"); ok {
		t.Error("an old version is still served")
	}
	c.put(1, "home/en", []byte("late"))
	if _, ok := c.get(2, "home/en"); ok {
		t.Error("a page built from older data entered the new version")
	}
	if b, _ := c.get(2, "home/zh"); string(b) != "v2" {
		t.Errorf("get = %q, want v2", b)
	}
}

func TestPageCacheIsBounded(t *testing.T) {
	var c pageCache
	page := make([]byte, 1<<20)
	for i := 0; i < 100; i++ { // 100 MiB of distinct searches
		c.put(1, "search/"+string(rune('A'+i)), page)
	}
	if c.bytes > maxCachedBytes || len(c.pages) != maxCachedBytes/len(page) {
		t.Errorf("cache holds %d pages, %d bytes; want at most %d bytes", len(c.pages), c.bytes, maxCachedBytes)
	}
	if _, ok := c.get(1, "search/A"); !ok {
		t.Error("the first pages were dropped")
	}
	c.put(2, "home/zh", []byte("v2"))
	if c.bytes != 2 {
		t.Errorf("a new version starts empty: %d bytes", c.bytes)
	}
}
