package auth

import (
	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/jsonvalue"
)

// clockSkew is the leeway PostgREST allows on exp, nbf and iat, in seconds.
const clockSkew = 30

type timeState uint8

const (
	timeAbsent    timeState = iota // missing or null: not checked
	timeNumber                     // checked against the clock
	timeNotNumber                  // PGRST303 "... claim must be a number"
)

type timeClaim struct {
	state timeState
	// value is the number as jsonvalue.Value.Int64 reads it: 0 when it
	// is fractional or beyond int64 (PostgREST's fromMaybe 0), so such an
	// exp is in the past.
	value int64
}

func timeClaimOf(v *jsonvalue.Value) timeClaim {
	switch {
	case v == nil || v.Kind == jsonvalue.Null:
		return timeClaim{}
	case v.Kind != jsonvalue.Number:
		return timeClaim{state: timeNotNumber}
	}
	return timeClaim{state: timeNumber, value: v.Int64()}
}

type audState uint8

const (
	audOK audState = iota
	audNotInAudience
	audNotStringOrArray
)

// entry is what a verified token decodes to. Everything that depends only
// on the token and the configuration is worked out once, so a cache hit
// costs a map lookup and three comparisons with the clock.
type entry struct {
	exp, nbf, iat timeClaim
	aud           audState
	// noRole: the claims name no role and there is no anonymous role.
	noRole        bool
	role          string
	claimsJSON    []byte
	authenticated bool
}

// decode verifies a token and prepares its entry.
func (a *Authenticator) decode(token string) (*entry, *apierr.Error) {
	claims, size, err := a.verify(token)
	if err != nil {
		return nil, err
	}
	return a.newEntry(&claims, size), nil
}

// newEntry works out what the claims mean; size is the length of their
// JSON text, to size the buffer for request.jwt.claims.
func (a *Authenticator) newEntry(claims *jsonvalue.Value, size int) *entry {
	e := &entry{
		exp: timeClaimOf(claims.Get("exp")),
		nbf: timeClaimOf(claims.Get("nbf")),
		iat: timeClaimOf(claims.Get("iat")),
		aud: a.checkAudience(claims.Get("aud")),
	}
	v := a.rolePath.First(claims)
	switch {
	case v == nil && a.anonRole == "":
		e.noRole = true
		return e
	case v == nil:
		e.role = a.anonRole
	case v.Kind == jsonvalue.String:
		e.role = v.Text
	default:
		e.role = string(jsonvalue.Append(nil, v))
	}
	e.claimsJSON = appendClaimsWithRole(make([]byte, 0, size+len(e.role)+16), claims, e.role)
	e.authenticated = a.anonRole == "" || e.role != a.anonRole
	return e
}

// checkAudience is PostgREST's aud check: null or absent passes; a string
// must equal jwt-aud; an array passes when it is empty or has jwt-aud in
// it; anything else is a type error. Without jwt-aud every string or
// array of strings passes.
func (a *Authenticator) checkAudience(v *jsonvalue.Value) audState {
	if v == nil || v.Kind == jsonvalue.Null {
		return audOK
	}
	switch v.Kind {
	case jsonvalue.String:
		if a.audience == "" || v.Text == a.audience {
			return audOK
		}
		return audNotInAudience
	case jsonvalue.Array:
		found := len(v.Arr) == 0 || a.audience == ""
		for i := range v.Arr {
			if v.Arr[i].Kind != jsonvalue.String {
				return audNotStringOrArray
			}
			found = found || v.Arr[i].Text == a.audience
		}
		if found {
			return audOK
		}
		return audNotInAudience
	}
	return audNotStringOrArray
}

// check validates the claims at time now (Unix seconds), in PostgREST's
// order: exp, nbf, iat, aud, then the role.
func (e *entry) check(now int64) *apierr.Error {
	switch {
	case e.exp.state == timeNotNumber:
		return apierr.JWTClaims("The JWT 'exp' claim must be a number")
	case e.exp.state == timeNumber && now-clockSkew > e.exp.value:
		return apierr.JWTClaims("JWT expired")
	case e.nbf.state == timeNotNumber:
		return apierr.JWTClaims("The JWT 'nbf' claim must be a number")
	case e.nbf.state == timeNumber && now+clockSkew < e.nbf.value:
		return apierr.JWTClaims("JWT not yet valid")
	case e.iat.state == timeNotNumber:
		return apierr.JWTClaims("The JWT 'iat' claim must be a number")
	case e.iat.state == timeNumber && now+clockSkew < e.iat.value:
		return apierr.JWTClaims("JWT issued at future")
	case e.aud == audNotStringOrArray:
		return apierr.JWTClaims("The JWT 'aud' claim must be a string or an array of strings")
	case e.aud == audNotInAudience:
		return apierr.JWTClaims("JWT not in audience")
	case e.noRole:
		return apierr.JWTTokenRequired()
	}
	return nil
}

// appendClaimsWithRole appends the claims object with its "role" member set
// to role, which is what PostgREST puts in request.jwt.claims.
func appendClaimsWithRole(b []byte, claims *jsonvalue.Value, role string) []byte {
	b = append(b, '{')
	written, first := false, true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	writeRole := func() {
		sep()
		b = append(b, `"role":`...)
		b = apierr.AppendJSONString(b, role)
		written = true
	}
	for i := range claims.Obj {
		m := &claims.Obj[i]
		if !written && m.Key >= "role" {
			writeRole()
			if m.Key == "role" {
				continue
			}
		}
		sep()
		b = apierr.AppendJSONString(b, m.Key)
		b = append(b, ':')
		b = jsonvalue.Append(b, &m.Val)
	}
	if !written {
		writeRole()
	}
	return append(b, '}')
}
