package openapi

import (
	"encoding/json"
	"fmt"

	"github.com/restgres/restgres/internal/schema"
)

// Access is what the database said about one schema for one request: the
// value of the statement sqlgen.Inspect builds, decoded.
type Access struct {
	// Description is the schema's comment, nil when it has none. Its first
	// line titles the document; the rest describes it.
	Description *string
	// Filtered is true in openapi-mode follow-privileges: the document then
	// shows only the tables in Tables and the functions in Routines.
	// Otherwise (ignore-privileges) it shows every table and function the
	// schema cache has in the schema.
	Filtered bool
	// Tables names the tables, views, materialized views and foreign
	// tables of the schema the request's role owns or has a privilege on.
	// Their descriptions come from the schema cache, so one created since
	// the last reload is left out, as in PostgREST.
	Tables []string
	// Routines are the functions of the schema the role may execute, as
	// the database describes them now, keyed and ordered as in
	// [schema.Cache.Routines]. Their parameter types are written as the
	// request's search_path shows them (a type of the schema itself is not
	// qualified), which is what PostgREST shows.
	Routines map[schema.QI][]*schema.Routine
}

// ParseAccess decodes the value of the statement sqlgen.Inspect builds:
// {"description": ...} alone, or with "tables" and "routines" in
// follow-privileges mode.
func ParseAccess(raw []byte) (*Access, error) {
	var v struct {
		Description *string         `json:"description"`
		Tables      *[]string       `json:"tables"`
		Routines    json.RawMessage `json:"routines"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("openapi: decoding the schema's access: %w", err)
	}
	a := &Access{Description: v.Description}
	if v.Tables != nil {
		a.Filtered = true
		a.Tables = *v.Tables
		if len(v.Routines) > 0 {
			routines, err := schema.DecodeRoutines(v.Routines)
			if err != nil {
				return nil, fmt.Errorf("openapi: %w", err)
			}
			a.Routines = routines
		}
	}
	return a, nil
}
