package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/restgres/restgres/internal/response"
)

// customReason returns the reason phrase resp asks for in the status line
// (RAISE SQLSTATE 'PGRST' with a status_text, or 'PTnnn', whose message
// PostgREST sends as the phrase), "" when there is none or it is the
// standard phrase. Control characters become spaces: the phrase is SQL's
// text and must not end the status line.
func customReason(resp *response.Response) string {
	if resp.StatusText == "" || resp.StatusText == http.StatusText(resp.Status) {
		return ""
	}
	b := []byte(resp.StatusText)
	for i, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			b[i] = ' '
		}
	}
	return string(b)
}

// writeWithReason writes a response whose status line carries reason.
// net/http always writes its own phrase (http.StatusText), so the HTTP/1.x
// connection is taken over, the response written by hand and the
// connection closed (Connection: close), which costs a new connection
// only on this rare path. The headers are those already in w.Header(),
// Content-Length included. It reports false, having written nothing, when
// the connection cannot be taken over (HTTP/2, which has no reason
// phrases, or a ResponseWriter that wraps net/http's): the caller then
// writes the response with the standard phrase.
func writeWithReason(w http.ResponseWriter, r *http.Request, status int, reason string, body []byte) bool {
	hj, ok := w.(http.Hijacker)
	if !ok || r.ProtoMajor != 1 {
		return false
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return false
	}
	defer conn.Close()
	h := w.Header().Clone()
	h["Date"] = []string{time.Now().UTC().Format(http.TimeFormat)}
	h["Connection"] = []string{"close"}
	proto := "HTTP/1." + strconv.Itoa(min(r.ProtoMinor, 1))
	rw.WriteString(proto + " " + strconv.Itoa(status) + " " + reason + "\r\n")
	h.Write(rw)
	rw.WriteString("\r\n")
	if r.Method != http.MethodHead {
		rw.Write(body)
	}
	rw.Flush()
	return true
}
