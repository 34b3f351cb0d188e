package site

import (
	"cmp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wenzheng-transparency/wenzheng/datasets"
)

// /data.json is the catalogue of the newest release in the Project Open
// Data metadata schema v1.1 (DCAT-US), which CKAN's harvesters read: one
// dataset per table, a distribution per file, every URL absolute. The
// identifiers stay the same from release to release, so a harvester
// updates its datasets rather than adding new ones each night; the
// download URLs are the release's immutable ones.

// podCatalog and the types below follow
// https://project-open-data.cio.gov/v1.1/schema/catalog.json.
type podCatalog struct {
	Context     string       `json:"@context"`
	ID          string       `json:"@id"`
	Type        string       `json:"@type"`
	ConformsTo  string       `json:"conformsTo"`
	DescribedBy string       `json:"describedBy"`
	Dataset     []podDataset `json:"dataset"`
}

type podDataset struct {
	Type               string            `json:"@type"`
	Title              string            `json:"title"`
	Description        string            `json:"description"`
	Keyword            []string          `json:"keyword"`
	Modified           string            `json:"modified"`
	Publisher          podOrganization   `json:"publisher"`
	ContactPoint       podContact        `json:"contactPoint"`
	Identifier         string            `json:"identifier"`
	AccessLevel        string            `json:"accessLevel"`
	License            string            `json:"license"`
	Language           []string          `json:"language"`
	AccrualPeriodicity string            `json:"accrualPeriodicity"`
	LandingPage        string            `json:"landingPage"`
	DescribedBy        string            `json:"describedBy,omitempty"`
	DescribedByType    string            `json:"describedByType,omitempty"`
	Distribution       []podDistribution `json:"distribution"`
}

type podOrganization struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type podContact struct {
	Type string `json:"@type"`
	FN   string `json:"fn"`
	// HasEmail ("mailto:…") is required by the schema; without a
	// configured address it is left out rather than made up.
	HasEmail string `json:"hasEmail,omitempty"`
}

type podDistribution struct {
	Type        string `json:"@type"`
	Title       string `json:"title"`
	DownloadURL string `json:"downloadURL"`
	MediaType   string `json:"mediaType"`
	Format      string `json:"format"`
}

const publisherName = "问政 Wenzheng"

// podFormats names a release format for harvesters.
var podFormats = map[string]string{
	datasets.FormatCSV:      "CSV",
	datasets.FormatCSVExcel: "CSV (UTF-8 with BOM, for Excel)",
	datasets.FormatParquet:  "Parquet",
	datasets.FormatNDJSON:   "NDJSON",
}

func (s *Server) handleDataJSON(c *fiber.Ctx) error {
	r, err := s.releases.latest()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.JSON(dataJSONOf(r, s.baseURL(c), s.contactEmail))
}

// dataJSONOf is the catalogue of release r (none: no dataset) for a site
// at base, whose contact address is email ("": none).
func dataJSONOf(r *release, base, email string) podCatalog {
	cat := podCatalog{
		Context:     "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
		ID:          base + "/data.json",
		Type:        "dcat:Catalog",
		ConformsTo:  "https://project-open-data.cio.gov/v1.1/schema",
		DescribedBy: "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
		Dataset:     []podDataset{},
	}
	if r == nil {
		return cat
	}
	licence := cmp.Or(r.Licence.URL, datasets.CCBY4.URL)
	contact := podContact{Type: "vcard:Contact", FN: publisherName}
	if email != "" {
		contact = podContact{Type: "vcard:Contact", FN: "Wenzheng", HasEmail: "mailto:" + email}
	}
	for _, t := range r.Tables {
		title := t.Title.Zh + " / " + t.Title.En
		if t.Title.Zh == "" || t.Title.En == "" {
			title = cmp.Or(t.Title.Zh, t.Title.En, t.Name)
		}
		desc := strings.TrimSpace(t.Description.Zh + "\n\n" + t.Description.En)
		if r.Demo {
			desc = "演示数据，不是真实的政务留言。Demo data, not real government messages.\n\n" + desc
		}
		ds := podDataset{
			Type:               "dcat:Dataset",
			Title:              "问政 Wenzheng: " + title,
			Description:        cmp.Or(desc, title),
			Keyword:            []string{"问政", "Wenzheng", "政务留言", "government message boards", "government responsiveness", t.Name},
			Modified:           r.CreatedAt.UTC().Format(time.RFC3339),
			Publisher:          podOrganization{Type: "org:Organization", Name: publisherName},
			ContactPoint:       contact,
			Identifier:         base + "/datasets#t-" + t.Name,
			AccessLevel:        "public",
			License:            licence,
			Language:           []string{"zh-CN", "en"},
			AccrualPeriodicity: "R/P1D",
			LandingPage:        base + "/datasets#t-" + t.Name,
			Distribution:       []podDistribution{},
		}
		if r.docs["datapackage.json"] {
			ds.DescribedBy = base + r.fileURL("datapackage.json")
			ds.DescribedByType = "application/json"
		}
		for _, f := range t.Files {
			format := cmp.Or(podFormats[f.Format], f.Format)
			ds.Distribution = append(ds.Distribution, podDistribution{
				Type:        "dcat:Distribution",
				Title:       t.Name + " · " + format + " · " + f.Path,
				DownloadURL: base + r.fileURL(f.Path),
				MediaType:   strings.TrimSuffix(contentType(f.Path), "; charset=utf-8"),
				Format:      format,
			})
		}
		cat.Dataset = append(cat.Dataset, ds)
	}
	return cat
}
