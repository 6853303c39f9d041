package schema

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
)

// Summary counts the cache's contents the way PostgREST's start-up log
// does: "N Relations, N Relationships, N RPCs, N Domain Representations, N
// Media Type Handlers". Relationships counts (origin, related schema) keys
// and RPCs counts function names, not overloads, as PostgREST does.
func (c *Cache) Summary() string {
	return fmt.Sprintf("%d Relations, %d Relationships, %d RPCs, %d Domain Representations, %d Media Type Handlers",
		len(c.Tables), len(c.Relationships), len(c.Routines), len(c.Representations), len(c.MediaHandlers))
}

// dumpCache is the JSON form of a Cache: every map becomes a list sorted by
// its key, so two dumps of the same schema are byte for byte equal.
type dumpCache struct {
	Schemas         []string          `json:"schemas"`
	Summary         string            `json:"summary"`
	Tables          []*Table          `json:"tables"`
	Relationships   []dumpRelGroup    `json:"relationships"`
	Routines        []*Routine        `json:"routines"`
	Representations []*Representation `json:"representations"`
	MediaHandlers   []dumpHandler     `json:"media_handlers"`
}

type dumpRelGroup struct {
	Table         QI        `json:"table"`
	ForeignSchema string    `json:"foreign_schema"`
	Relationships []dumpRel `json:"relationships"`
}

// dumpRel leaves the cardinality out of computed relationships, where it is
// meaningless (its zero value would read "many-to-one").
type dumpRel struct {
	*Relationship
	Cardinality string `json:"cardinality,omitempty"`
}

type dumpHandler struct {
	// Target is null for a handler of any element.
	Target     *QI     `json:"target"`
	AnyElement bool    `json:"any_element"`
	MediaType  string  `json:"media_type"`
	Handler    Handler `json:"handler"`
	// Produces is the media type of the response (*/* resolved).
	Produces string `json:"produces"`
}

// MarshalJSON returns the whole cache as stable, readable JSON, for
// `restgres --dump-schema`: tables, relationships (grouped by origin and
// related schema, in lookup order), routines (overloads in lookup order),
// representations and media handlers, each list sorted by its key. The
// format is restgres's own, not PostgREST's.
func (c *Cache) MarshalJSON() ([]byte, error) {
	d := dumpCache{
		Schemas:         c.Schemas,
		Summary:         c.Summary(),
		Tables:          make([]*Table, 0, len(c.Tables)),
		Relationships:   make([]dumpRelGroup, 0, len(c.Relationships)),
		Routines:        make([]*Routine, 0, len(c.Routines)),
		Representations: make([]*Representation, 0, len(c.Representations)),
		MediaHandlers:   make([]dumpHandler, 0, len(c.MediaHandlers)),
	}
	for _, q := range slices.SortedFunc(maps.Keys(c.Tables), compareQI) {
		d.Tables = append(d.Tables, c.Tables[q])
	}
	relKeys := slices.SortedFunc(maps.Keys(c.Relationships), func(a, b RelKey) int {
		return cmp.Or(compareQI(a.Table, b.Table), cmp.Compare(a.ForeignSchema, b.ForeignSchema))
	})
	for _, k := range relKeys {
		rels := make([]dumpRel, 0, len(c.Relationships[k]))
		for _, r := range c.Relationships[k] {
			dr := dumpRel{Relationship: r}
			if !r.Computed {
				dr.Cardinality = r.Cardinality.String()
			}
			rels = append(rels, dr)
		}
		d.Relationships = append(d.Relationships, dumpRelGroup{k.Table, k.ForeignSchema, rels})
	}
	for _, q := range slices.SortedFunc(maps.Keys(c.Routines), compareQI) {
		d.Routines = append(d.Routines, c.Routines[q]...)
	}
	repKeys := slices.SortedFunc(maps.Keys(c.Representations), func(a, b RepKey) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Target, b.Target))
	})
	for _, k := range repKeys {
		d.Representations = append(d.Representations, c.Representations[k])
	}
	for k, h := range c.MediaHandlers {
		dh := dumpHandler{
			AnyElement: k.AnyElement,
			MediaType:  k.Media.MediaType().Mime(),
			Handler:    h.Handler,
			Produces:   h.MediaType.Mime(),
		}
		if !k.AnyElement {
			t := k.Target
			dh.Target = &t
		}
		d.MediaHandlers = append(d.MediaHandlers, dh)
	}
	slices.SortFunc(d.MediaHandlers, func(a, b dumpHandler) int {
		if c := compareBool(!a.AnyElement, !b.AnyElement); c != 0 {
			return c // any element first
		}
		var ta, tb QI
		if a.Target != nil {
			ta = *a.Target
		}
		if b.Target != nil {
			tb = *b.Target
		}
		return cmp.Or(compareQI(ta, tb), cmp.Compare(a.MediaType, b.MediaType))
	})
	return json.Marshal(d)
}

// Dump writes the cache's JSON (see [Cache.MarshalJSON]) to w, indented,
// with a final newline.
func (c *Cache) Dump(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}
