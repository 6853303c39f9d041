// Package mediatype parses and prints the media types restgres negotiates
// (Accept, Content-Type) the way PostgREST does, vendored pgrst types
// included. It is pure: no HTTP handler, no schema.
package mediatype

import (
	"slices"
	"strconv"
	"strings"
)

// Kind enumerates the media types restgres knows by name.
type Kind uint8

const (
	JSON           Kind = iota // application/json
	GeoJSON                    // application/geo+json
	CSV                        // text/csv
	TextPlain                  // text/plain
	TextXML                    // text/xml
	OpenAPI                    // application/openapi+json
	URLEncoded                 // application/x-www-form-urlencoded
	OctetStream                // application/octet-stream
	Any                        // */*
	Other                      // anything else, kept verbatim in MediaType.Other
	ArrayJSONStrip             // application/vnd.pgrst.array+json;nulls=stripped
	SingularJSON               // application/vnd.pgrst.object+json[;nulls=stripped]
	Plan                       // application/vnd.pgrst.plan[+json|+text]
)

// PlanFormat is the output format of an EXPLAIN plan.
type PlanFormat uint8

const (
	PlanText PlanFormat = iota
	PlanJSON
)

// PlanOption is one EXPLAIN option requested with options=a|b.
type PlanOption uint8

const (
	PlanAnalyze PlanOption = 1 << iota
	PlanVerbose
	PlanSettings
	PlanBuffers
	PlanWAL
)

var planOptionNames = []struct {
	opt  PlanOption
	name string
	sql  string
}{
	{PlanAnalyze, "analyze", "ANALYZE"},
	{PlanVerbose, "verbose", "VERBOSE"},
	{PlanSettings, "settings", "SETTINGS"},
	{PlanBuffers, "buffers", "BUFFERS"},
	{PlanWAL, "wal", "WAL"},
}

// MediaType is a parsed media type.
type MediaType struct {
	Kind Kind
	// Other is the media type as sent, for Kind Other.
	Other string
	// Strip is nulls=stripped, for SingularJSON.
	Strip bool
	// For Plan: the media type whose plan is wanted (never itself a Plan),
	// the output format and the options.
	PlanFor     Key
	PlanFormat  PlanFormat
	PlanOptions PlanOption
}

// Key is the comparable identity of a non-plan media type, for map keys.
type Key struct {
	Kind  Kind
	Other string
	Strip bool
}

// Key returns m's identity (for Plan, the identity of the plan media type
// itself, without the target).
func (m MediaType) Key() Key { return Key{Kind: m.Kind, Other: m.Other, Strip: m.Strip} }

// MediaType returns the media type a key stands for.
func (k Key) MediaType() MediaType { return MediaType{Kind: k.Kind, Other: k.Other, Strip: k.Strip} }

// Is reports whether m is the named kind (and not Other).
func (m MediaType) Is(k Kind) bool { return m.Kind == k }

// Mime returns the media type as PostgREST writes it (no charset).
func (m MediaType) Mime() string {
	switch m.Kind {
	case JSON:
		return "application/json"
	case ArrayJSONStrip:
		return "application/vnd.pgrst.array+json;nulls=stripped"
	case GeoJSON:
		return "application/geo+json"
	case CSV:
		return "text/csv"
	case TextPlain:
		return "text/plain"
	case TextXML:
		return "text/xml"
	case OpenAPI:
		return "application/openapi+json"
	case SingularJSON:
		if m.Strip {
			return "application/vnd.pgrst.object+json;nulls=stripped"
		}
		return "application/vnd.pgrst.object+json"
	case URLEncoded:
		return "application/x-www-form-urlencoded"
	case OctetStream:
		return "application/octet-stream"
	case Any:
		return "*/*"
	case Other:
		return m.Other
	case Plan:
		var b strings.Builder
		b.WriteString("application/vnd.pgrst.plan+")
		if m.PlanFormat == PlanJSON {
			b.WriteString("json")
		} else {
			b.WriteString("text")
		}
		b.WriteString(`; for="`)
		b.WriteString(m.PlanFor.MediaType().Mime())
		b.WriteString(`"`)
		if m.PlanOptions != 0 {
			b.WriteString("; options=")
			first := true
			for _, o := range planOptionNames {
				if m.PlanOptions&o.opt != 0 {
					if !first {
						b.WriteByte('|')
					}
					b.WriteString(o.name)
					first = false
				}
			}
		}
		return b.String()
	}
	return ""
}

// ContentType returns the Content-Type header value for m: the mime type with
// "; charset=utf-8", except for octet-stream and unknown types.
func (m MediaType) ContentType() string {
	switch m.Kind {
	case OctetStream, Other:
		return m.Mime()
	case JSON:
		return "application/json; charset=utf-8"
	}
	return m.Mime() + "; charset=utf-8"
}

// ExplainOptions returns the EXPLAIN option list for a plan media type,
// e.g. "FORMAT JSON, ANALYZE". Every word is fixed text.
func (m MediaType) ExplainOptions() string {
	var b strings.Builder
	if m.PlanFormat == PlanJSON {
		b.WriteString("FORMAT JSON")
	} else {
		b.WriteString("FORMAT TEXT")
	}
	for _, o := range planOptionNames {
		if m.PlanOptions&o.opt != 0 {
			b.WriteString(", ")
			b.WriteString(o.sql)
		}
	}
	return b.String()
}

// Parse decodes one media type, as PostgREST does: unknown types become
// Other, type and subtype compare case-insensitively.
func Parse(s string) MediaType {
	mainType, subType, params, ok := tokenize(s)
	if !ok {
		return MediaType{Kind: Other, Other: s}
	}
	mainType, subType = strings.ToLower(mainType), strings.ToLower(subType)
	param := func(name string) (string, bool) {
		for _, p := range params {
			if p.key == name {
				return p.value, true
			}
		}
		return "", false
	}
	stripped := func() bool {
		v, _ := param("nulls")
		return v == "stripped"
	}
	plan := func(f PlanFormat) MediaType {
		m := MediaType{Kind: Plan, PlanFormat: f}
		forType := "application/json"
		if v, ok := param("for"); ok {
			forType = v
		}
		target := Parse(forType)
		if target.Kind == Plan {
			// a plan of a plan is not a thing; fall back to its own target
			target = target.PlanFor.MediaType()
		}
		m.PlanFor = target.Key()
		if v, ok := param("options"); ok {
			for _, o := range strings.Split(v, "|") {
				for _, n := range planOptionNames {
					if o == n.name {
						m.PlanOptions |= n.opt
					}
				}
			}
		}
		return m
	}
	switch mainType + "/" + subType {
	case "application/json":
		return MediaType{Kind: JSON}
	case "application/geo+json":
		return MediaType{Kind: GeoJSON}
	case "text/csv":
		return MediaType{Kind: CSV}
	case "text/plain":
		return MediaType{Kind: TextPlain}
	case "text/xml":
		return MediaType{Kind: TextXML}
	case "application/openapi+json":
		return MediaType{Kind: OpenAPI}
	case "application/x-www-form-urlencoded":
		return MediaType{Kind: URLEncoded}
	case "application/octet-stream":
		return MediaType{Kind: OctetStream}
	case "application/vnd.pgrst.plan", "application/vnd.pgrst.plan+text":
		return plan(PlanText)
	case "application/vnd.pgrst.plan+json":
		return plan(PlanJSON)
	case "application/vnd.pgrst.object+json", "application/vnd.pgrst.object":
		return MediaType{Kind: SingularJSON, Strip: stripped()}
	case "application/vnd.pgrst.array+json", "application/vnd.pgrst.array":
		if stripped() {
			return MediaType{Kind: ArrayJSONStrip}
		}
		return MediaType{Kind: JSON}
	case "*/*":
		return MediaType{Kind: Any}
	}
	return MediaType{Kind: Other, Other: s}
}

type mediaParam struct{ key, value string }

// tokenize splits "type/subtype; k=v; k2="v2"" the way PostgREST's parser
// does: type chars are letters, digits, '.' and '*'; subtype adds '+' and
// '-'; parameter names are lower-cased; anything unparsable after a valid
// prefix is ignored.
func tokenize(s string) (mainType, subType string, params []mediaParam, ok bool) {
	i := 0
	isAlnum := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	start := i
	for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '*') {
		i++
	}
	if i == start || i >= len(s) || s[i] != '/' {
		return "", "", nil, false
	}
	mainType = s[start:i]
	i++
	start = i
	for i < len(s) && (isAlnum(s[i]) || strings.IndexByte(".*+-", s[i]) >= 0) {
		i++
	}
	if i == start {
		return "", "", nil, false
	}
	subType = s[start:i]
	skipSpaces := func(j int) int {
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		return j
	}
	for {
		j := skipSpaces(i)
		if j >= len(s) || s[j] != ';' {
			break
		}
		j = skipSpaces(j + 1)
		ks := j
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			j++
		}
		if j == ks {
			break
		}
		key := strings.ToLower(s[ks:j])
		j = skipSpaces(j)
		if j >= len(s) || s[j] != '=' {
			break
		}
		j = skipSpaces(j + 1)
		var value string
		if j < len(s) && s[j] == '"' {
			end := strings.IndexByte(s[j+1:], '"')
			if end < 0 {
				break
			}
			value = s[j+1 : j+1+end]
			j = j + 2 + end
		} else {
			vs := j
			for j < len(s) && (isAlnum(s[j]) || s[j] == '|' || s[j] == '-') {
				j++
			}
			if j == vs {
				break
			}
			value = s[vs:j]
		}
		params = append(params, mediaParam{key, value})
		i = j
	}
	return mainType, subType, params, true
}

// ParseAccept splits an Accept header into media types, most preferred
// first: by q-value, then by specificity (parameters count up, wildcards
// count down), keeping the client's order otherwise. Spaces are dropped and
// only the part before ";q=" is kept, as PostgREST does.
func ParseAccept(header string) []MediaType {
	type entry struct {
		mt          string
		q           float64
		specificity int
	}
	parts := strings.Split(header, ",")
	entries := make([]entry, 0, len(parts))
	for _, p := range parts {
		p = strings.ReplaceAll(p, " ", "")
		q := 1.0
		if i := strings.Index(p, ";q="); i >= 0 {
			qs := p[i+3:]
			if j := strings.IndexByte(qs, ';'); j >= 0 {
				qs = qs[:j]
			}
			if v, err := strconv.ParseFloat(qs, 64); err == nil && !strings.HasPrefix(qs, ".") {
				q = v
			}
			p = p[:i]
		}
		entries = append(entries, entry{
			mt:          p,
			q:           q,
			specificity: strings.Count(p, ";") - strings.Count(p, "*"),
		})
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return b.specificity - a.specificity
	})
	out := make([]MediaType, len(entries))
	for i, e := range entries {
		out[i] = Parse(e.mt)
	}
	return out
}
