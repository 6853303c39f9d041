package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/restgres/restgres/internal/apierr"
)

// bodyRequest is a POST whose body is content and whose Content-Length
// header says announced (-1: unknown, as with chunked encoding).
func bodyRequest(content string, announced int64) *http.Request {
	// a bare io.Reader hides the length from httptest
	r := httptest.NewRequest(http.MethodPost, "/t", struct{ io.Reader }{strings.NewReader(content)})
	r.ContentLength = announced
	return r
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 3*preallocMax+12345)
	tests := []struct {
		name      string
		content   string
		announced int64
		limit     int64
		status    int // 0: read, else the error's status
	}{
		{"empty", "", 0, 0, 0},
		{"small", `{"a":1}`, 7, 0, 0},
		{"unknown length", `{"a":1}`, -1, 0, 0},
		{"large", big, int64(len(big)), 0, 0},
		{"large unknown length", big, -1, 0, 0},
		{"announced large, sent less", big[:5000], int64(len(big)), 0, 0},
		{"large within the limit", big, int64(len(big)), int64(len(big)), 0},
		{"at the limit", "12345678", 8, 8, 0},
		{"announced over the limit", "123456789", 9, 8, 413},
		{"unknown length over the limit", "123456789", -1, 8, 413},
		{"announced less than sent, over the limit", "123456789", 4, 8, 413},
		// a client may announce more than it sends: what arrives is read
		{"announced more than sent", `[]`, 3 << 40, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := readBody(bodyRequest(tc.content, tc.announced), tc.limit)
			if tc.status != 0 {
				var ae *apierr.Error
				if !errors.As(err, &ae) || ae.Status != tc.status {
					t.Fatalf("err = %v, want status %d", err, tc.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.content {
				t.Fatalf("read %d bytes, want %d", len(b), len(tc.content))
			}
			// a body of the announced length fills one buffer of its
			// size (plus the byte that lets EOF be read without growing)
			if tc.announced == int64(len(tc.content)) && cap(b) != len(b)+1 {
				t.Errorf("cap = %d for %d bytes, want %d", cap(b), len(b), len(b)+1)
			}
			// of unknown length, it keeps little slack
			if tc.announced < 0 && cap(b) > max(2*len(b), preallocMax) {
				t.Errorf("cap = %d for %d bytes of unknown length", cap(b), len(b))
			}
		})
	}
}

// A Content-Length alone must not make readBody allocate: before, a
// request announcing 50 GB made the process die of a failed reservation.
func TestReadBodyAnnouncedLength(t *testing.T) {
	t.Parallel()
	b, err := readBody(bodyRequest(`[1]`, 50<<30), 0)
	if err != nil || string(b) != `[1]` {
		t.Fatalf("readBody = %q, %v", b, err)
	}
	if cap(b) > preallocMax+1 {
		t.Errorf("cap = %d, want at most %d", cap(b), preallocMax+1)
	}
}

// A small body of known length costs one allocation: its buffer.
func TestReadBodyAllocs(t *testing.T) {
	body := []byte(`{"title":"one","done":false}`)
	r := httptest.NewRequest(http.MethodPost, "/t", nil)
	rd := bytes.NewReader(body)
	r.Body = io.NopCloser(rd)
	r.ContentLength = int64(len(body))
	allocs := testing.AllocsPerRun(100, func() {
		rd.Reset(body)
		if _, err := readBody(r, 0); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 1 {
		t.Errorf("%v allocations, want 1", allocs)
	}
}
