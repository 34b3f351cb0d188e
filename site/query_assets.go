package site

import (
	"bytes"
	"compress/gzip"
	"io"

	"github.com/gofiber/fiber/v2"
)

// Assets kept gzipped: the build embeds DuckDB-WASM's 18 MB wasm as a
// 4.2 MB .gz (see the Makefile), served as it is to the browsers that
// take gzip (all of them) and unpacked for a client that does not.

// gzippedAsset finds name's gzipped copy (name + ".gz") among assets.
func gzippedAsset(assets map[string][]byte, name string) ([]byte, bool) {
	b, ok := assets[name+".gz"]
	return b, ok
}

// sendGzipped sends gz, the gzipped content of an asset whose headers are
// set: with Content-Encoding when the client takes gzip (the compression
// middleware leaves an encoded body alone), else unpacked.
func sendGzipped(c *fiber.Ctx, gz []byte) error {
	c.Vary(fiber.HeaderAcceptEncoding)
	if c.Request().Header.HasAcceptEncoding("gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(gz)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return c.Send(b)
}

// assetPolicy relaxes the content security policy for the DuckDB worker's
// script, which compiles the wasm under its own response's policy.
func assetPolicy(c *fiber.Ctx, name string) {
	if name == queryWorker {
		c.Set(fiber.HeaderContentSecurityPolicy, queryCSP)
	}
}
