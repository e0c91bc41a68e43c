package view

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"text/template"
)

// The vendored library: tools/viewlib pins it (package-lock.json) and
// update.sh copies it here; TestEmbeddedLibraryEqualsNPM checks the copy.
var (
	//go:embed assets/cytoscape.min.js
	library string
	//go:embed assets/cytoscape.LICENSE
	libraryLicense string
	//go:embed assets/app.js
	app string
	//go:embed assets/page.html
	pageSource string
)

// text/template, not html/template: each part is made safe for its place
// below (the title HTML-escaped, the data JSON with <, > and & escaped, so
// no value can close the script element).
var pageTemplate = template.Must(template.New("page").Parse(pageSource))

// Render writes the page drawing g.
func Render(w io.Writer, g *Subgraph, title string) error {
	page := struct {
		*Subgraph
		// Positions is the layout computed here for a large graph (the page
		// lays out a small one itself).
		Positions map[string]point `json:"positions,omitempty"`
	}{Subgraph: g}
	if len(g.Entities) > largeGraph {
		page.Positions = forceLayout(g)
	}
	data, err := json.Marshal(page) // escapes <, > and & as \u003c...
	if err != nil {
		return fmt.Errorf("encoding the graph: %w", err)
	}
	lib := "/*! cytoscape.js, MIT licence:\n" + strings.ReplaceAll(libraryLicense, "*/", "* /") + "\n*/\n" + library
	return pageTemplate.Execute(w, map[string]string{
		"Title":   html.EscapeString(title),
		"Library": lib,
		"Data":    string(data),
		"App":     app,
	})
}
