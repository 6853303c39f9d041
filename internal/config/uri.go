package config

import (
	"net"
	"strconv"
	"strings"
)

// uriParts are the pieces of an absolute URI (RFC 3986), split the way
// Haskell's Network.URI splits them, for the checks PostgREST makes on
// jwt-aud and openapi-server-proxy-uri.
type uriParts struct {
	scheme       string
	hasAuthority bool
	hasUserinfo  bool
	host         string
	hasPort      bool
	port         string
	hasQuery     bool
	hasFragment  bool
}

// parseURI splits s when it is an absolute URI with an optional fragment
// (Network.URI's isURI); ok is false when it is not one. Go's net/url is
// not used: it accepts strings RFC 3986 does not, such as spaces.
func parseURI(s string) (u uriParts, ok bool) {
	i := strings.IndexByte(s, ':')
	if i <= 0 || !validScheme(s[:i]) {
		return u, false
	}
	u.scheme, s = s[:i], s[i+1:]
	if j := strings.IndexByte(s, '#'); j >= 0 {
		u.hasFragment = true
		if !allChars(s[j+1:], isQueryChar) {
			return u, false
		}
		s = s[:j]
	}
	if j := strings.IndexByte(s, '?'); j >= 0 {
		u.hasQuery = true
		if !allChars(s[j+1:], isQueryChar) {
			return u, false
		}
		s = s[:j]
	}
	path := s
	if rest, ok := strings.CutPrefix(s, "//"); ok {
		u.hasAuthority = true
		authority := rest
		path = ""
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			authority, path = rest[:j], rest[j:]
		}
		if !u.splitAuthority(authority) {
			return u, false
		}
	}
	return u, allChars(path, func(c byte) bool { return isPathChar(c) || c == '/' })
}

// splitAuthority reads [userinfo "@"] host [":" port].
func (u *uriParts) splitAuthority(a string) bool {
	if j := strings.IndexByte(a, '@'); j >= 0 {
		u.hasUserinfo = true
		if !allChars(a[:j], func(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '%' }) {
			return false
		}
		a = a[j+1:]
	}
	hostPort := a
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 || !validIPLiteral(a[1:end]) {
			return false
		}
		u.host, hostPort = a[:end+1], a[end+1:]
		if hostPort != "" && hostPort[0] != ':' {
			return false
		}
	} else {
		u.host = a
		if j := strings.LastIndexByte(a, ':'); j >= 0 {
			u.host = a[:j]
		}
		if !allChars(u.host, func(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == '%' }) {
			return false
		}
		hostPort = a[len(u.host):]
	}
	if p, ok := strings.CutPrefix(hostPort, ":"); ok {
		u.hasPort, u.port = true, p
		return allChars(p, func(c byte) bool { return c >= '0' && c <= '9' })
	}
	return true
}

// validProxyURI is PostgREST's check on openapi-server-proxy-uri: an
// absolute http(s) URI with a host, no user info, no query, no fragment and
// a port, if any, between 1 and 65535.
func validProxyURI(s string) bool {
	u, ok := parseURI(s)
	if !ok || u.hasFragment || u.hasQuery || !u.hasAuthority || u.hasUserinfo || u.host == "" {
		return false
	}
	if scheme := strings.ToLower(u.scheme); scheme != "http" && scheme != "https" {
		return false
	}
	if u.hasPort {
		n, err := strconv.Atoi(u.port)
		return err == nil && n > 0 && n < 65536
	}
	return true
}

func validScheme(s string) bool {
	if !isAlpha(s[0]) {
		return false
	}
	return allChars(s, func(c byte) bool { return isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.' })
}

// validIPLiteral checks the inside of [...]: an IPv6 address or an
// IPvFuture ("v" hex "." ...).
func validIPLiteral(s string) bool {
	if strings.HasPrefix(s, "v") || strings.HasPrefix(s, "V") {
		ver, rest, ok := strings.Cut(s[1:], ".")
		return ok && ver != "" && rest != "" && allChars(ver, isHex) &&
			allChars(rest, func(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == ':' })
	}
	ip := net.ParseIP(s)
	return ip != nil && strings.Contains(s, ":")
}

// allChars reports whether every byte of s passes ok and every '%' starts
// a valid percent-encoding. Non-ASCII bytes never pass: a URI is ASCII.
func allChars(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
			continue
		}
		if !ok(c) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}
func isSubDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }
func isPathChar(c byte) bool {
	return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@' || c == '%'
}
func isQueryChar(c byte) bool { return isPathChar(c) || c == '/' || c == '?' }
