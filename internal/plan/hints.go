package plan

import "github.com/restgres/restgres/internal/fuzzy"

// fuzzyDefaultMin is fuzzyset's default minimum score, which PostgREST uses
// for relationship and parameter hints.
const fuzzyDefaultMin = fuzzy.DefaultMinScore

// fuzzyOne returns the closest value to query scoring at least min. Sets are
// built per error: hints are on the error path only.
func fuzzyOne(values []string, query string, min float64) (string, bool) {
	return fuzzy.New(values).GetOne(query, min)
}

func fuzzyGet(values []string, query string, min float64) []fuzzy.Match {
	return fuzzy.New(values).Get(query, min)
}
