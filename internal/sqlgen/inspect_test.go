package sqlgen

import (
	"regexp"
	"strconv"
	"testing"
)

// TestInspectParams checks that the statement binds exactly the
// parameters its fixed text refers to: Inspect binds them without writing
// their placeholders. The end-to-end tests in package server run it.
func TestInspectParams(t *testing.T) {
	placeholder := regexp.MustCompile(`\$([0-9]+)`)
	for _, follow := range []bool{true, false} {
		q := Inspect(`My "Schema"`, follow)
		highest := 0
		for _, m := range placeholder.FindAllStringSubmatch(q.SQL, -1) {
			n, _ := strconv.Atoi(m[1])
			highest = max(highest, n)
		}
		if highest != len(q.Args) || len(q.OIDs) != len(q.Args) {
			t.Errorf("Inspect(follow=%v): SQL refers to $%d, %d args, %d OIDs", follow, highest, len(q.Args), len(q.OIDs))
		}
		if got, want := string(q.Args[0]), `{"\"My \"\"Schema\"\"\""}`; got != want {
			t.Errorf("Inspect(follow=%v) $1 = %s, want %s", follow, got, want)
		}
		if q.Columns != ValueColumns {
			t.Errorf("Inspect(follow=%v) columns = %+v, want ValueColumns", follow, q.Columns)
		}
	}
}
