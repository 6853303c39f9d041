package request

import (
	"strconv"
	"testing"
)

// BenchmarkScanJSONPayload scans a one-object body (the common write) and
// a 1,000-object bulk body.
func BenchmarkScanJSONPayload(b *testing.B) {
	one := []byte(`{"id":1,"title":"write tests","done":false,"tags":["a","b"],"meta":{"k":[1,2]}}`)
	bulk := []byte("[")
	for i := range 1000 {
		if i > 0 {
			bulk = append(bulk, ',')
		}
		bulk = append(bulk, `{"id":`+strconv.Itoa(i)+`,"title":"write tests","done":false,"tags":["a","b"],"meta":{"k":[1,2]}}`...)
	}
	bulk = append(bulk, ']')
	for _, bc := range []struct {
		name string
		body []byte
	}{{"object", one}, {"bulk1000", bulk}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if _, err := scanJSONPayload(bc.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
