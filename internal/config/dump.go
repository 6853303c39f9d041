package config

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Dump returns the effective configuration as `restgres --dump-config`
// prints it: PostgREST's --dump-config format, one `key = value` line per
// setting, app.settings.* included, sorted. Strings are double-quoted with
// \ and " escaped and $ doubled; unset settings print as "". The jwt-secret
// is printed as it is used (read from its @file, re-encoded as base64 when
// jwt-secret-is-base64 is on). Loading the output gives an equal Config.
//
// Two differences from PostgREST keep that round trip exact: PostgREST
// escapes neither backslashes nor '$' (except in jwt-role-claim-key), so
// its dump of such values does not load back; and jwt-role-claim-key is
// printed as written, where PostgREST prints its normalised form. The
// restgres extension server-max-body-size is dumped too.
func (c *Config) Dump() string {
	lines := make([]string, 0, len(c.dumpSettings())+len(c.AppSettings))
	for _, kv := range c.dumpSettings() {
		lines = append(lines, kv.Key+" = "+kv.Value)
	}
	for _, kv := range c.AppSettings {
		lines = append(lines, kv.Key+" = "+quote(kv.Value))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// dumpSettings returns every setting but app.settings.*, each value in
// file syntax.
func (c *Config) dumpSettings() []KeyValue {
	b := func(v bool) string { return strconv.FormatBool(v) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	secs := func(d time.Duration) string { return i(int64(d / time.Second)) }
	unsetZero := func(v int64) string {
		if v == 0 {
			return `""`
		}
		return i(v)
	}
	mode := func(m uint32) string { return quote(strconv.FormatUint(uint64(m), 8)) }
	list := func(l []string) string { return quote(strings.Join(l, ",")) }
	secret := string(c.JWTSecret)
	if c.JWTSecretIsBase64 && c.JWTSecret != nil {
		secret = base64.StdEncoding.EncodeToString(c.JWTSecret)
	}
	return []KeyValue{
		{"admin-server-host", quote(c.AdminServerHost)},
		{"admin-server-port", unsetZero(int64(c.AdminServerPort))},
		{"admin-server-unix-socket", quote(c.AdminServerUnixSocket)},
		{"admin-server-unix-socket-mode", mode(c.AdminServerUnixSocketMode)},
		{"client-error-verbosity", quote(c.ClientErrorVerbosity.String())},
		{"db-aggregates-enabled", b(c.DBAggregatesEnabled)},
		{"db-anon-role", quote(c.DBAnonRole)},
		{"db-channel", quote(c.DBChannel)},
		{"db-channel-enabled", b(c.DBChannelEnabled)},
		{"db-config", b(c.DBConfig)},
		{"db-extra-search-path", list(c.DBExtraSearchPath)},
		{"db-hoisted-tx-settings", list(c.DBHoistedTxSettings)},
		{"db-max-rows", unsetZero(c.DBMaxRows)},
		{"db-plan-enabled", b(c.DBPlanEnabled)},
		{"db-pool", i(int64(c.DBPool))},
		{"db-pool-acquisition-timeout", secs(c.DBPoolAcquisitionTimeout)},
		{"db-pool-automatic-recovery", b(c.DBPoolAutomaticRecovery)},
		{"db-pool-max-idletime", secs(c.DBPoolMaxIdletime)},
		{"db-pool-max-lifetime", secs(c.DBPoolMaxLifetime)},
		{"db-pre-config", quote(c.DBPreConfig.String())},
		{"db-pre-request", quote(c.DBPreRequest.String())},
		{"db-prepared-statements", b(c.DBPreparedStatements)},
		{"db-root-spec", quote(c.DBRootSpec.String())},
		{"db-schemas", list(c.DBSchemas)},
		{"db-tx-end", quote(c.DBTxEnd.String())},
		{"db-uri", quote(c.DBURI)},
		{"jwt-aud", quote(c.JWTAudience)},
		{"jwt-cache-max-entries", i(int64(c.JWTCacheMaxEntries))},
		{"jwt-role-claim-key", quote(c.JWTRoleClaimKey)},
		{"jwt-secret", quote(secret)},
		{"jwt-secret-is-base64", b(c.JWTSecretIsBase64)},
		{"log-level", quote(c.LogLevel.String())},
		{"log-query", b(c.LogQuery)},
		{"openapi-mode", quote(c.OpenAPIMode.String())},
		{"openapi-security-active", b(c.OpenAPISecurityActive)},
		{"openapi-server-proxy-uri", quote(c.OpenAPIServerProxyURI)},
		{"server-cors-allowed-origins", list(c.ServerCORSAllowedOrigins)},
		{"server-host", quote(c.ServerHost)},
		{"server-max-body-size", i(c.ServerMaxBodySize)},
		{"server-port", i(int64(c.ServerPort))},
		{"server-reuseport", b(c.ServerReusePort)},
		{"server-timing-enabled", b(c.ServerTimingEnabled)},
		{"server-trace-header", quote(c.ServerTraceHeader)},
		{"server-unix-socket", quote(c.ServerUnixSocket)},
		{"server-unix-socket-mode", mode(c.ServerUnixSocketMode)},
		{"url-use-legacy-target-names", b(c.URLUseLegacyTargetNames)},
	}
}

// quote writes s as a config file string.
func quote(s string) string {
	return `"` + quoteReplacer.Replace(s) + `"`
}

var quoteReplacer = strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`)

// Example returns an annotated config file listing every setting with its
// default, for `restgres --example`. Settings without a default are shown
// commented out with a sample value; loading the text as it is gives the
// defaults.
func Example() string {
	defaults := map[string]string{}
	// Resolving no settings at all cannot fail; TestExample would catch it.
	d, _ := (&sources{}).resolve(nil)
	for _, kv := range d.dumpSettings() {
		defaults[kv.Key] = kv.Value
	}
	var b strings.Builder
	b.WriteString(`## restgres configuration, in PostgREST's config file format.
##
## Strings are "double-quoted" (escape \" and \\; write $$ for a literal $
## and $(NAME) to insert an environment variable); numbers and true/false are
## bare; # starts a comment. Every setting can also come from the environment
## (PGRST_ and the key in capitals with '_' for '-', e.g. PGRST_DB_URI), which
## wins over this file; settings marked "in database" can also be set by
## pgrst.* role settings or db-pre-config, which win over both.
`)
	section := ""
	for _, k := range keys {
		if k.section != section {
			section = k.section
			b.WriteString("\n\n## ==== " + section + " ====\n")
		}
		b.WriteString("\n")
		for _, line := range strings.Split(k.about, "\n") {
			b.WriteString("## " + line + "\n")
		}
		where := "## env " + envName(k.name)
		if k.inDB {
			where += ", in database pgrst." + dbName(k.name)
		}
		if len(k.aliases) > 0 {
			where += "; also read as " + strings.Join(k.aliases, ", ")
		}
		b.WriteString(where + "\n")
		if k.sample != "" {
			b.WriteString("# " + k.name + " = " + k.sample + "\n")
		} else {
			b.WriteString(k.name + " = " + defaults[k.name] + "\n")
		}
	}
	b.WriteString(`

## ==== Application settings ====

## app.settings.NAME = "value" makes current_setting('app.settings.NAME')
## return "value" in every request. env PGRST_APP_SETTINGS_NAME
# app.settings.jwt_issuer = "https://auth.example.com"
`)
	return b.String()
}
