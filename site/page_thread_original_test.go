package site

import (
	"strings"
	"testing"
)

// TestThreadOriginalPost: no source Wenzheng reads records a link to the
// original post (the canonical record, the 智慧政务 export, NYC 311's open
// data and Open311 GeoReport v2 have none: checked in ingest and in
// /work/shared/data), and a guessed URL could point at someone else's
// message, so the thread says the source gives none and links nowhere
// outside the site.
func TestThreadOriginalPost(t *testing.T) {
	app := mustApp(t, mustSmallDB(t, true))
	for lang, want := range map[string]string{"zh": "<dt>原帖</dt><dd>来源未提供原帖链接</dd>", "en": "<dt>Original post</dt><dd>The source gives no link to the original post</dd>"} {
		resp, body := get(t, app, "/messages/city/B2?lang="+lang)
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("%s: %d, lacks %q", lang, resp.StatusCode, want)
		}
		if strings.Contains(body, `href="http`) {
			t.Errorf("%s: the thread links outside the site", lang)
		}
	}
}
