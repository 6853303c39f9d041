package apierr

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// FromPostgres turns an error PostgreSQL raised into the client's error,
// with PostgREST's SQLSTATE to HTTP status table. authenticated says whether
// the request carried a JWT: insufficient privilege is then 403, else 401.
// hint and detail may be "" (absent).
func FromPostgres(sqlstate, message, detail, hint string, authenticated bool) *Error {
	if sqlstate == "PGRST" {
		return fromRaisePGRST(message, detail)
	}
	e := &Error{Status: statusFor(sqlstate, message, authenticated), Code: sqlstate, Message: message}
	// PostgREST also sends a PTnnn error's message as the reason phrase.
	// net/http cannot, short of taking the connection over and closing
	// it, which is fair for an explicit status_text (RAISE 'PGRST') but
	// too costly for every custom error status; clients read the code and
	// message from the body, and HTTP/2 has no reason phrases at all.
	if detail != "" {
		e.Details = detail
	}
	if hint != "" {
		e.Hint = hint
	}
	if e.Status == http.StatusUnauthorized {
		e.Header = http.Header{"Www-Authenticate": {"Bearer"}}
	}
	return e
}

// statusFor is PostgREST's SQLSTATE to HTTP status table.
func statusFor(code, message string, authenticated bool) int {
	switch code {
	case "23503", "23505":
		return http.StatusConflict
	case "25006":
		return http.StatusMethodNotAllowed
	case "21000":
		// pg-safeupdate refuses an unfiltered UPDATE/DELETE with this
		// code: the client's mistake, not the server's.
		if strings.HasSuffix(message, "requires a WHERE clause") {
			return http.StatusBadRequest
		}
		return http.StatusInternalServerError
	case "22023":
		// a JWT naming a role that does not exist
		if strings.HasPrefix(message, "role") && strings.HasSuffix(message, "does not exist") {
			return http.StatusUnauthorized
		}
		return http.StatusBadRequest
	case "53400":
		return http.StatusInternalServerError
	case "57P01":
		return http.StatusServiceUnavailable
	case "P0001":
		return http.StatusBadRequest
	case "42883":
		if strings.HasPrefix(message, "function xmlagg(") {
			return http.StatusNotAcceptable
		}
		return http.StatusNotFound
	case "42P01":
		return http.StatusNotFound
	case "42P17":
		return http.StatusInternalServerError
	case "42501":
		if authenticated {
			return http.StatusForbidden
		}
		return http.StatusUnauthorized
	}
	if len(code) >= 2 {
		switch code[:2] {
		case "08":
			return http.StatusServiceUnavailable
		case "09":
			return http.StatusInternalServerError
		case "0L", "0P":
			return http.StatusForbidden
		case "25":
			return http.StatusInternalServerError
		case "28":
			return http.StatusForbidden
		case "2D", "38", "39", "3B", "40":
			return http.StatusInternalServerError
		case "53":
			return http.StatusServiceUnavailable
		case "54", "55", "57", "58", "F0", "HV", "P0", "XX":
			return http.StatusInternalServerError
		case "PT":
			if n, ok := ptStatus(code); ok {
				return n
			}
			return http.StatusInternalServerError
		}
	}
	return http.StatusBadRequest
}

// ptStatus returns the HTTP status a 'PTnnn' SQLSTATE asks for.
func ptStatus(code string) (int, bool) {
	if !strings.HasPrefix(code, "PT") {
		return 0, false
	}
	n, err := strconv.Atoi(code[2:])
	return n, err == nil && n >= 100 && n <= 999
}

// fromRaisePGRST builds the error a function raised with
// RAISE SQLSTATE 'PGRST' USING MESSAGE = '{json}', DETAIL = '{json}': full
// control of code, message, details, hint, status and headers.
func fromRaisePGRST(message, detail string) *Error {
	var msg struct {
		Code    *string         `json:"code"`
		Message *string         `json:"message"`
		Details json.RawMessage `json:"details"`
		Hint    json.RawMessage `json:"hint"`
	}
	if json.Unmarshal([]byte(message), &msg) != nil || msg.Code == nil || msg.Message == nil {
		return PGRSTParseMessage(message)
	}
	if detail == "" {
		return PGRSTNoDetail()
	}
	var det struct {
		Status     *int               `json:"status"`
		StatusText *string            `json:"status_text"`
		Headers    *map[string]string `json:"headers"`
	}
	if json.Unmarshal([]byte(detail), &det) != nil || det.Status == nil || det.Headers == nil {
		return PGRSTParseDetail(detail)
	}
	e := &Error{Status: *det.Status, Code: *msg.Code, Message: *msg.Message}
	e.Details = textOrNull(msg.Details)
	e.Hint = textOrNull(msg.Hint)
	if det.StatusText != nil {
		e.StatusText = *det.StatusText
	}
	if len(*det.Headers) > 0 {
		e.Header = http.Header{}
		for k, v := range *det.Headers {
			e.Header[http.CanonicalHeaderKey(k)] = []string{v}
		}
	}
	return e
}

// textOrNull keeps a JSON string value as text; PostgREST reads details and
// hint of a PGRST raise as optional strings.
func textOrNull(raw json.RawMessage) any {
	var s *string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil || s == nil {
		return nil
	}
	return *s
}
