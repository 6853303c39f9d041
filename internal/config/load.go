package config

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/restgres/restgres/internal/jsonpath"
)

// sources holds the raw settings a Config was built from, so that
// WithDatabaseSettings can lay database settings over the same file and
// environment. A sources value is never changed once built.
type sources struct {
	file     map[string]fileValue // by key as written, aliases included
	env      map[string]string    // PGRST_* values by key
	envApp   []KeyValue           // PGRST_APP_SETTINGS_* as app.settings.* keys
	db       map[string]string    // in-database values by name without "pgrst."
	warnings []string             // about the file and environment
}

// setting is one raw value and where it came from.
type setting struct {
	text  string
	kind  valueKind
	where string // " (line 3)", " (PGRST_DB_POOL)", " (pgrst.db_pool)"
}

// Load reads the config file at path (none when path is "") and the PGRST_*
// variables of environ (as os.Environ returns them), and returns the
// validated Config with PostgREST's defaults for whatever neither sets.
// Environment variables win over the file; an empty value counts as unset,
// except for db-extra-search-path where "" means no extra schema. environ
// also answers $(VAR) interpolations in the file. Errors name the key and
// where its value came from. Load keeps no state: call it again to reload.
func Load(path string, environ []string) (*Config, error) {
	return load(path, environ, nil)
}

// Reload is Load for a running server: it reads old's file and environ
// again but keeps old's db-uri, which PostgREST does not reload (the pool
// stays connected to the same database). Apply WithDatabaseSettings and
// WithRoleSettings to the result when db-config is on.
func Reload(old *Config, environ []string) (*Config, error) {
	uri := old.DBURI
	return load(old.FilePath, environ, &uri)
}

func load(path string, environ []string, prevURI *string) (*Config, error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	src := &sources{file: map[string]fileValue{}, env: map[string]string{}}
	if path != "" {
		file, err := parseFile(path, env)
		if err != nil {
			return nil, err
		}
		if err := src.checkFileKeys(file); err != nil {
			return nil, err
		}
		src.file = file
	}
	src.readEnv(env)
	c, err := src.resolve(prevURI)
	if err != nil {
		return nil, err
	}
	c.FilePath = path
	return c, nil
}

// checkFileKeys refuses unknown keys, reporting the first in file order.
func (s *sources) checkFileKeys(file map[string]fileValue) error {
	names := make([]string, 0, len(file))
	for k := range file {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return file[names[i]].order < file[names[j]].order })
	for _, k := range names {
		v := file[k]
		switch {
		case keyNames[k] != nil, ignoredKeys[k]:
		case strings.HasPrefix(k, appSettingsPrefix) && len(k) > len(appSettingsPrefix):
			if v.kind == kindList {
				return fmt.Errorf("config: %s: expected a string, got a list (%s)", k, v.where)
			}
		case retiredKeys[k] != "":
			s.warnings = append(s.warnings, fmt.Sprintf("config: %s is ignored: %s (%s)", k, retiredKeys[k], v.where))
		default:
			return fmt.Errorf("config: unknown key %q (%s)", k, v.where)
		}
	}
	return nil
}

// readEnv picks the PGRST_* variables. Unknown ones only warn: PostgREST
// ignores them, and other tools may set PGRST_* names of their own.
func (s *sources) readEnv(env map[string]string) {
	names := make([]string, 0, len(env))
	for k := range env {
		if strings.HasPrefix(k, "PGRST_") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		v := env[name]
		if suffix, ok := strings.CutPrefix(name, envAppSettingsPrefix); ok && suffix != "" {
			// PostgREST keeps the case of the suffix: PGRST_APP_SETTINGS_X
			// is app.settings.X. appSettings merges it with the file's
			// app.settings.x, which names the same PostgreSQL setting.
			s.envApp = append(s.envApp, KeyValue{appSettingsPrefix + suffix, v})
			continue
		}
		if key, ok := envKeys[name]; ok {
			s.env[key] = v
			continue
		}
		s.warnings = append(s.warnings, fmt.Sprintf("config: environment variable %s is not a setting; ignored", name))
	}
}

// get returns the raw value of one key name: in-database first, then the
// environment, then the file (PostgREST's overrideFromDbOrEnvironment).
func (s *sources) get(key string) (setting, bool) {
	if v, ok := s.db[dbName(key)]; ok {
		return setting{text: v, kind: kindString, where: " (pgrst." + dbName(key) + ")"}, true
	}
	if v, ok := s.env[key]; ok {
		return setting{text: v, kind: kindString, where: " (" + envName(key) + ")"}, true
	}
	if v, ok := s.file[key]; ok {
		return setting{text: v.text, kind: v.kind, where: " (" + v.where + ")"}, true
	}
	return setting{}, false
}

// appSettings merges app.settings.* from the file and the environment.
// PostgreSQL setting names ignore case, so keys equal but for case are one
// setting: the environment's value wins and the file's spelling stays. This
// keeps the conformance runner's double source (app.settings.app_host in
// the file, PGRST_APP_SETTINGS_APP_HOST in the environment) from setting
// the same GUC twice.
func (s *sources) appSettings() []KeyValue {
	byFold := map[string]int{}
	var out []KeyValue
	add := func(k, v string) {
		f := strings.ToLower(k)
		if i, ok := byFold[f]; ok {
			out[i].Value = v
			return
		}
		byFold[f] = len(out)
		out = append(out, KeyValue{k, v})
	}
	var fileKeys []string
	for k := range s.file {
		if strings.HasPrefix(k, appSettingsPrefix) {
			fileKeys = append(fileKeys, k)
		}
	}
	sort.Strings(fileKeys)
	for _, k := range fileKeys {
		add(k, s.file[k].text)
	}
	for _, kv := range s.envApp {
		add(kv.Key, kv.Value)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// resolver turns raw settings into typed values and keeps the first error.
type resolver struct {
	s        *sources
	err      error
	warnings []string
}

func (r *resolver) fail(key string, v setting, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("config: %s: %s%s", key, fmt.Sprintf(format, args...), v.where)
	}
}

// lookup returns the first non-empty value of name or its aliases. Like
// PostgREST's optWithAlias, an empty value falls through to the alias.
func (r *resolver) lookup(name string) (setting, bool) {
	names := []string{name}
	if ki := keyNames[name]; ki != nil && ki.aliasFirst {
		names = append(append([]string(nil), ki.aliases...), name)
	} else if ki != nil {
		names = append(names, ki.aliases...)
	}
	for _, k := range names {
		if v, ok := r.s.get(k); ok && v.text != "" {
			if v.kind == kindList {
				r.fail(name, v, "expected a single value, got a list %s", v.text)
				return setting{}, false
			}
			return v, true
		}
	}
	return setting{}, false
}

// str returns the text of a setting; ok is false when it is unset or "".
// Numbers and booleans written bare in the file count as their text.
func (r *resolver) str(name string) (string, bool) {
	v, ok := r.lookup(name)
	return v.text, ok
}

// strOr returns the setting's text or def when it is unset or "".
func (r *resolver) strOr(name, def string) string {
	if s, ok := r.str(name); ok {
		return s
	}
	return def
}

// integer returns a whole number between lo and hi, or def when unset.
func (r *resolver) integer(name string, lo, hi, def int64) int64 {
	v, ok := r.lookup(name)
	if !ok {
		return def
	}
	var n int64
	switch v.kind {
	case kindNumber:
		if n, ok = integralNumber(v.text); !ok {
			r.fail(name, v, "expected an integer, got %s", v.text)
			return def
		}
	case kindString:
		var err error
		if n, err = strconv.ParseInt(strings.TrimSpace(v.text), 10, 64); err != nil {
			r.fail(name, v, "expected an integer, got %q", v.text)
			return def
		}
	default:
		r.fail(name, v, "expected an integer, got %s", v.text)
		return def
	}
	switch {
	case n < lo && (hi == math.MaxInt64 || hi == math.MaxInt32):
		r.fail(name, v, "must be at least %d, got %d", lo, n)
	case n < lo || n > hi:
		r.fail(name, v, "must be between %d and %d, got %d", lo, hi, n)
	default:
		return n
	}
	return def
}

// seconds returns a non-negative number of seconds as a Duration.
func (r *resolver) seconds(name string, def int64) time.Duration {
	return time.Duration(r.integer(name, 0, math.MaxInt64/int64(time.Second), def)) * time.Second
}

// boolean returns a flag, or def when unset. It accepts what PostgREST
// does: true/false/on/off written bare; strings whose letters spell true
// or false in any case ("TRUE", "\"true\""); and integers, true when > 0.
func (r *resolver) boolean(name string, def bool) bool {
	v, ok := r.lookup(name)
	if !ok {
		return def
	}
	switch v.kind {
	case kindBool:
		return v.text == "true"
	case kindNumber:
		if n, ok := integralNumber(v.text); ok {
			return n > 0
		}
	case kindString:
		letters := strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) {
				return r
			}
			return -1
		}, v.text)
		switch {
		case strings.EqualFold(letters, "true"):
			return true
		case strings.EqualFold(letters, "false"):
			return false
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v.text), 10, 64); err == nil {
			return n > 0
		}
	}
	r.fail(name, v, "expected a boolean (true or false), got %q", v.text)
	return def
}

// enum returns the index of the setting's value in names, or def when
// unset. Matching is exact, as in PostgREST.
func (r *resolver) enum(name string, def int, names ...string) int {
	v, ok := r.lookup(name)
	if !ok {
		return def
	}
	for i, n := range names {
		if v.text == n {
			return i
		}
	}
	r.fail(name, v, "expected one of %s, got %q", strings.Join(names, ", "), v.text)
	return def
}

// splitList splits a comma-separated setting and trims each item. Empty
// items are refused: PostgREST keeps them, and an empty schema or setting
// name only fails later, at the first request.
func (r *resolver) splitList(name string, v setting) []string {
	items := strings.Split(v.text, ",")
	for i, it := range items {
		items[i] = strings.TrimSpace(it)
		if items[i] == "" {
			r.fail(name, v, "empty item in the comma-separated list %q", v.text)
			return nil
		}
	}
	return items
}

// list returns a comma-separated setting, or def when unset or "".
func (r *resolver) list(name string, def []string) []string {
	v, ok := r.lookup(name)
	if !ok {
		return def
	}
	return r.splitList(name, v)
}

// qualifiedName returns a function name such as "schema.func".
func (r *resolver) qualifiedName(name string) QualifiedName {
	s, ok := r.str(name)
	if !ok {
		return QualifiedName{}
	}
	return parseQualifiedName(s)
}

// parseQualifiedName splits at the first dot, as PostgREST's toQi does:
// "a.b.c" is schema "a", name "b.c".
func parseQualifiedName(s string) QualifiedName {
	if schema, name, ok := strings.Cut(s, "."); ok {
		return QualifiedName{Schema: schema, Name: name}
	}
	return QualifiedName{Name: s}
}

// socketMode returns an octal file mode between 600 and 777.
func (r *resolver) socketMode(name string) uint32 {
	const def = 0o660
	v, ok := r.lookup(name)
	if !ok {
		return def
	}
	m, err := strconv.ParseUint(strings.TrimSpace(v.text), 8, 32)
	if err != nil {
		r.fail(name, v, "expected an octal file mode such as 660, got %q", v.text)
		return def
	}
	if m < 0o600 || m > 0o777 {
		r.fail(name, v, "must be between 600 and 777, got %q", v.text)
		return def
	}
	return uint32(m)
}

// resolve builds a Config from the sources. prevURI, when not nil, is the
// db-uri of the running server, kept instead of the configured one.
func (s *sources) resolve(prevURI *string) (*Config, error) {
	r := &resolver{s: s}
	c := &Config{src: s}
	c.AppSettings = s.appSettings()
	c.ClientErrorVerbosity = Verbosity(r.enum("client-error-verbosity", int(VerbosityVerbose), verbosityNames...))
	c.DBAggregatesEnabled = r.boolean("db-aggregates-enabled", false)
	c.DBAnonRole, _ = r.str("db-anon-role")
	c.DBChannel = r.strOr("db-channel", "pgrst")
	c.DBChannelEnabled = r.boolean("db-channel-enabled", true)
	c.DBConfig = r.boolean("db-config", true)
	// Unlike other settings, "" is a value here: no extra schema at all.
	if v, ok := r.s.get("db-extra-search-path"); ok && v.text == "" {
		c.DBExtraSearchPath = []string{}
	} else {
		c.DBExtraSearchPath = r.list("db-extra-search-path", []string{"public"})
	}
	c.DBHoistedTxSettings = r.list("db-hoisted-tx-settings", defaultHoistedTxSettings())
	c.DBMaxRows = r.integer("db-max-rows", 0, math.MaxInt64, 0)
	c.DBPlanEnabled = r.boolean("db-plan-enabled", false)
	c.DBPool = int(r.integer("db-pool", 1, math.MaxInt32, 10))
	c.DBPoolAcquisitionTimeout = r.seconds("db-pool-acquisition-timeout", 10)
	c.DBPoolMaxLifetime = r.seconds("db-pool-max-lifetime", 1800)
	c.DBPoolMaxIdletime = r.seconds("db-pool-max-idletime", 30)
	c.DBPoolAutomaticRecovery = r.boolean("db-pool-automatic-recovery", true)
	c.DBPreConfig = r.qualifiedName("db-pre-config")
	c.DBPreRequest = r.qualifiedName("db-pre-request")
	c.DBPreparedStatements = r.boolean("db-prepared-statements", true)
	c.DBRootSpec = r.qualifiedName("db-root-spec")
	c.DBSchemas = r.list("db-schemas", []string{"public"})
	for _, forbidden := range []string{"pg_catalog", "information_schema"} {
		for _, sch := range c.DBSchemas {
			if sch == forbidden {
				v, _ := r.lookup("db-schemas")
				r.fail("db-schemas", v, "the schema %q cannot be exposed", forbidden)
			}
		}
	}
	txEnd := r.enum("db-tx-end", 0, "commit", "commit-allow-override", "rollback", "rollback-allow-override")
	c.DBTxEnd = TxEnd{RollbackAll: txEnd >= 2, AllowOverride: txEnd%2 == 1}
	if prevURI != nil {
		c.DBURI = *prevURI
	} else {
		c.DBURI = r.strOr("db-uri", "postgresql://")
		if name, ok := strings.CutPrefix(c.DBURI, "@"); ok {
			b, err := os.ReadFile(name)
			if err != nil {
				v, _ := r.lookup("db-uri")
				r.fail("db-uri", v, "reading the connection string: %v", err)
			}
			c.DBURI = strings.TrimSpace(string(b))
		}
	}
	c.JWTAudience = r.audience()
	c.JWTRoleClaimKey = r.roleClaimKey()
	c.JWTSecretIsBase64 = r.boolean("jwt-secret-is-base64", false)
	c.JWTSecret = r.secret(c.JWTSecretIsBase64)
	c.JWTCacheMaxEntries = int(r.integer("jwt-cache-max-entries", 0, math.MaxInt32, 1000))
	c.LogLevel = LogLevel(r.enum("log-level", int(LogError), logLevelNames...))
	c.LogQuery = r.boolean("log-query", false)
	c.OpenAPIMode = OpenAPIMode(r.enum("openapi-mode", int(OpenAPIFollowPrivileges), openAPIModeNames...))
	c.OpenAPISecurityActive = r.boolean("openapi-security-active", false)
	if v, ok := r.lookup("openapi-server-proxy-uri"); ok {
		if !validProxyURI(v.text) {
			r.fail("openapi-server-proxy-uri", v, "malformed proxy URI %q: it must look like https://example.com:8443/basePath (http or https, no query, no user info)", v.text)
		}
		c.OpenAPIServerProxyURI = v.text
	}
	c.ServerCORSAllowedOrigins = r.list("server-cors-allowed-origins", nil)
	c.ServerHost = r.strOr("server-host", "!4")
	c.ServerPort = int(r.integer("server-port", 0, 65535, 3000))
	c.ServerReusePort = r.boolean("server-reuseport", false)
	c.ServerTraceHeader, _ = r.str("server-trace-header")
	c.ServerTimingEnabled = r.boolean("server-timing-enabled", false)
	c.ServerUnixSocket, _ = r.str("server-unix-socket")
	c.ServerUnixSocketMode = r.socketMode("server-unix-socket-mode")
	c.ServerMaxBodySize = r.integer("server-max-body-size", 0, math.MaxInt64, 0)
	c.URLUseLegacyTargetNames = r.boolean("url-use-legacy-target-names", true)
	// PostgREST reads admin-server-host with server-host as its alias.
	c.AdminServerHost = r.strOr("admin-server-host", c.ServerHost)
	c.AdminServerPort = int(r.integer("admin-server-port", 1, 65535, 0))
	if c.AdminServerPort != 0 && c.AdminServerPort == c.ServerPort {
		v, _ := r.lookup("admin-server-port")
		r.fail("admin-server-port", v, "cannot be the same as server-port (%d)", c.ServerPort)
	}
	c.AdminServerUnixSocket, _ = r.str("admin-server-unix-socket")
	c.AdminServerUnixSocketMode = r.socketMode("admin-server-unix-socket-mode")
	if r.err != nil {
		return nil, r.err
	}
	c.Warnings = append(append([]string(nil), s.warnings...), r.warnings...)
	return c, nil
}

// defaultHoistedTxSettings is PostgREST's default db-hoisted-tx-settings.
func defaultHoistedTxSettings() []string {
	return []string{"statement_timeout", "plan_filter.statement_cost_limit", "default_transaction_isolation"}
}

// audience returns jwt-aud. Like PostgREST, a value with a ':' must be a
// URI (RFC 3986); any other string is fine.
func (r *resolver) audience() string {
	v, ok := r.lookup("jwt-aud")
	if !ok {
		return ""
	}
	if strings.Contains(v.text, ":") {
		if _, ok := parseURI(v.text); !ok {
			r.fail("jwt-aud", v, "%q has a ':' but is not a valid URI (RFC 3986); use a plain string or a URI", v.text)
		}
	}
	return v.text
}

// DefaultRoleClaimKey is jwt-role-claim-key when it is not set.
const DefaultRoleClaimKey = "$.role"

// roleClaimKey returns jwt-role-claim-key as written, after checking that
// PostgREST would accept it (package jsonpath), and warns about its
// deprecated pre-v16 syntax.
func (r *resolver) roleClaimKey() string {
	v, ok := r.lookup("jwt-role-claim-key")
	if !ok {
		return DefaultRoleClaimKey
	}
	p, err := jsonpath.Parse(v.text)
	if err != nil {
		r.fail("jwt-role-claim-key", v, "%v", err)
		return DefaultRoleClaimKey
	}
	if p.Deprecated() {
		r.warnings = append(r.warnings, fmt.Sprintf("config: jwt-role-claim-key %q uses the JSPath syntax of PostgREST 14 and earlier, which is deprecated: write the RFC 9535 path %q instead%s", v.text, p.Equivalent(), v.where))
	}
	return v.text
}

// secret returns jwt-secret: read from a file when it starts with '@',
// decoded when jwt-secret-is-base64 is on, and at least 32 bytes long unless
// it is a JSON Web Key or key set (PostgREST's parseSecret).
func (r *resolver) secret(isBase64 bool) []byte {
	v, ok := r.lookup("jwt-secret")
	if !ok {
		return nil
	}
	secret := []byte(v.text)
	if name, ok := strings.CutPrefix(v.text, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			r.fail("jwt-secret", v, "reading the secret: %v", err)
			return nil
		}
		secret = []byte(strings.TrimSuffix(string(b), "\n")) // one newline, as PostgREST
	}
	if isBase64 {
		b, err := decodeBase64Secret(string(secret))
		if err != nil {
			r.fail("jwt-secret", v, "jwt-secret-is-base64 is on but the secret is not valid base64: %v", err)
			return nil
		}
		secret = b
	}
	if len(secret) < 32 && !isJWKJSON(secret) {
		r.fail("jwt-secret", v, "the secret must be at least 32 characters long (or be a JSON Web Key or key set)")
		return nil
	}
	return secret
}

// decodeBase64Secret decodes standard or URL-safe base64 ('-', '_', and
// '.' for padding, as PostgREST maps them), padded or not.
func decodeBase64Secret(s string) ([]byte, error) {
	s = strings.NewReplacer("-", "+", "_", "/", ".", "=").Replace(strings.TrimSpace(s))
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil && !strings.Contains(s, "=") {
		if b2, err2 := base64.RawStdEncoding.DecodeString(s); err2 == nil {
			return b2, nil
		}
	}
	return b, err
}

// isJWKJSON reports whether b looks like a JSON Web Key ({"kty": ...}) or
// key set ({"keys": [...]}). Checking the keys themselves is the job of
// whoever verifies tokens.
func isJWKJSON(b []byte) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(b, &obj) != nil {
		return false
	}
	_, kty := obj["kty"]
	_, keys := obj["keys"]
	return kty || keys
}
