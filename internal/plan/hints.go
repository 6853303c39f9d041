package plan

// fuzzyDefaultMin is fuzzyset's default minimum score, which PostgREST uses
// for relationship and parameter hints.
const fuzzyDefaultMin = 0.33

type fuzzyMatch struct {
	Score float64
	Value string
}

// fuzzyOne and fuzzyGet are placeholders until internal/fuzzy lands.
func fuzzyOne(values []string, query string, min float64) (string, bool) {
	for _, v := range fuzzyGet(values, query, min) {
		return v.Value, true
	}
	return "", false
}

func fuzzyGet(values []string, query string, min float64) []fuzzyMatch {
	return nil
}
