package openapi

import (
	"github.com/restgres/restgres/internal/jsonenc"
)

// writer appends JSON text, keeping track of the commas. Keys come out in
// the order they are written, so the document is deterministic as long as
// the caller iterates in a fixed order.
type writer struct {
	b []byte
	// counts holds, for each open object or array, how many members or
	// elements it has so far.
	counts []int
	// afterKey: the next value belongs to the key just written.
	afterKey bool
}

// sep writes the comma before an array element or an object member.
func (w *writer) sep() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.counts); n > 0 {
		if w.counts[n-1] > 0 {
			w.b = append(w.b, ',')
		}
		w.counts[n-1]++
	}
}

func (w *writer) open(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.counts = append(w.counts, 0)
}

func (w *writer) close(c byte) {
	w.counts = w.counts[:len(w.counts)-1]
	w.b = append(w.b, c)
}

func (w *writer) beginObject() { w.open('{') }
func (w *writer) endObject()   { w.close('}') }
func (w *writer) beginArray()  { w.open('[') }
func (w *writer) endArray()    { w.close(']') }

// key writes an object member's name; the next value is its value.
func (w *writer) key(k string) {
	w.sep()
	w.b = jsonenc.AppendString(w.b, k)
	w.b = append(w.b, ':')
	w.afterKey = true
}

func (w *writer) str(s string) {
	w.sep()
	w.b = jsonenc.AppendString(w.b, s)
}

func (w *writer) boolean(v bool) {
	w.sep()
	if v {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
}

// raw writes a JSON value that is already valid, compact JSON text.
func (w *writer) raw(v []byte) {
	w.sep()
	w.b = append(w.b, v...)
}

// Shorthands for members.

func (w *writer) strField(k, v string) {
	w.key(k)
	w.str(v)
}

// optStrField writes the member only when v is not nil.
func (w *writer) optStrField(k string, v *string) {
	if v != nil {
		w.strField(k, *v)
	}
}

func (w *writer) boolField(k string, v bool) {
	w.key(k)
	w.boolean(v)
}

func (w *writer) strArrayField(k string, vs []string) {
	w.key(k)
	w.beginArray()
	for _, v := range vs {
		w.str(v)
	}
	w.endArray()
}

// ref writes {"$ref": prefix+name}.
func (w *writer) ref(prefix, name string) {
	w.beginObject()
	w.strField("$ref", prefix+name)
	w.endObject()
}
