package synthaws

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
)

// doc builds an XML answer by appending to one buffer: the responder writes
// pages of up to 1,000 items, and building them as structs for
// encoding/xml would cost more than the collector's own parsing.
type doc struct{ b bytes.Buffer }

func (d *doc) open(name string) *doc {
	d.b.WriteByte('<')
	d.b.WriteString(name)
	d.b.WriteByte('>')
	return d
}

func (d *doc) openNS(name, ns string) *doc {
	d.b.WriteString("<" + name + ` xmlns="` + ns + `">`)
	return d
}

func (d *doc) close(name string) *doc {
	d.b.WriteString("</" + name + ">")
	return d
}

// el writes <name>value</name>, escaping the value.
func (d *doc) el(name, value string) *doc {
	d.open(name)
	_ = xml.EscapeText(&d.b, []byte(value))
	return d.close(name)
}

func (d *doc) num(name string, v int) *doc { return d.el(name, strconv.Itoa(v)) }

func (d *doc) flag(name string, v bool) *doc { return d.el(name, strconv.FormatBool(v)) }

func writeXML(w http.ResponseWriter, d *doc) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(d.b.Len()))
	_, _ = w.Write(d.b.Bytes())
}
