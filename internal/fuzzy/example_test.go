package fuzzy_test

import (
	"fmt"

	"github.com/restgres/restgres/internal/fuzzy"
)

// PGRST205's hint: PostgREST's tableNotFoundHint asks for one table of the
// schema scoring at least 0.75.
func ExampleSet_GetOne() {
	tables := fuzzy.New([]string{"films", "directors", "roles", "actors"})
	if t, ok := tables.GetOne("film", 0.75); ok {
		fmt.Printf("Perhaps you meant the table 'api.%s'\n", t)
	}
	_, ok := tables.GetOne("noclosealternative", 0.75)
	fmt.Println(ok)
	// Output:
	// Perhaps you meant the table 'api.films'
	// false
}

// PGRST200's hint for an unknown child: PostgREST's noRelBetweenHint takes
// the best match below 1, so a child that exists gets no suggestion.
func ExampleSet_Get() {
	children := fuzzy.New([]string{"directors", "roles", "actors"})
	for _, m := range children.Get("role", fuzzy.DefaultMinScore) {
		fmt.Printf("%.2f %s\n", m.Score, m.Value)
	}
	fmt.Println(children.Get("Actors", fuzzy.DefaultMinScore))
	// Output:
	// 0.80 roles
	// [{1 actors}]
}
