// Package config holds every PostgREST setting restgres understands: it reads
// them from a PostgREST-format config file, from PGRST_* environment variables
// and from the database (db-config), validates them, and dumps them back in
// PostgREST's format. A Config is immutable once built; a reload builds a new
// one. The package does not talk to the HTTP layer.
package config

import (
	"strconv"
	"time"
)

// TxEnd says how a request's transaction ends (db-tx-end).
type TxEnd struct {
	// RollbackAll is true for "rollback" and "rollback-allow-override".
	RollbackAll bool
	// AllowOverride is true for the "-allow-override" variants: a client may
	// then pick the outcome with Prefer: tx=commit|rollback.
	AllowOverride bool
}

// String returns the db-tx-end value that produces t.
func (t TxEnd) String() string {
	switch {
	case t.RollbackAll && t.AllowOverride:
		return "rollback-allow-override"
	case t.RollbackAll:
		return "rollback"
	case t.AllowOverride:
		return "commit-allow-override"
	default:
		return "commit"
	}
}

// Verbosity is client-error-verbosity.
type Verbosity int

const (
	// VerbosityVerbose sends code, message, details and hint.
	VerbosityVerbose Verbosity = iota
	// VerbosityMinimal sends only code and message.
	VerbosityMinimal
)

// verbosityNames, openAPIModeNames and logLevelNames are the setting
// values, indexed by the constants.
var (
	verbosityNames   = []string{"verbose", "minimal"}
	openAPIModeNames = []string{"follow-privileges", "ignore-privileges", "disabled"}
	logLevelNames    = []string{"crit", "error", "warn", "info", "debug"}
)

// enumName returns names[i], or the number for a value no setting gives.
func enumName(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return strconv.Itoa(i)
}

// String returns the client-error-verbosity value that produces v.
func (v Verbosity) String() string { return enumName(verbosityNames, int(v)) }

// OpenAPIMode is openapi-mode.
type OpenAPIMode int

const (
	// OpenAPIFollowPrivileges shows only what the request role may use.
	OpenAPIFollowPrivileges OpenAPIMode = iota
	// OpenAPIIgnorePrivileges shows every object of the schema.
	OpenAPIIgnorePrivileges
	// OpenAPIDisabled turns the root endpoint off (PGRST126).
	OpenAPIDisabled
)

// String returns the openapi-mode value that produces m.
func (m OpenAPIMode) String() string { return enumName(openAPIModeNames, int(m)) }

// LogLevel is log-level, from the least to the most verbose.
type LogLevel int

const (
	// LogCrit logs start-up and database connection recovery only.
	LogCrit LogLevel = iota
	// LogError adds requests that failed with a 5xx status (the default).
	LogError
	// LogWarn adds requests that failed with a 4xx status.
	LogWarn
	// LogInfo adds every request.
	LogInfo
	// LogDebug adds development details: pool events, schema cache timings.
	LogDebug
)

// String returns the log-level value that produces l.
func (l LogLevel) String() string { return enumName(logLevelNames, int(l)) }

// QualifiedName is a schema-qualified database object name as written in
// settings such as db-pre-request ("schema.func" or "func").
type QualifiedName struct {
	Schema string // empty when the setting named no schema
	Name   string
}

// IsZero reports whether the setting was left out.
func (q QualifiedName) IsZero() bool { return q.Name == "" }

// String returns the name in the form the config file uses.
func (q QualifiedName) String() string {
	if q.Schema == "" {
		return q.Name
	}
	return q.Schema + "." + q.Name
}

// KeyValue is one ordered setting pair (app.settings.*, role settings).
type KeyValue struct {
	Key, Value string
}

// Config is the effective configuration. Field comments name the PostgREST
// key each field comes from.
type Config struct {
	AppSettings               []KeyValue    // app.settings.*, sorted by key
	ClientErrorVerbosity      Verbosity     // client-error-verbosity
	DBAggregatesEnabled       bool          // db-aggregates-enabled
	DBAnonRole                string        // db-anon-role; "" when unset
	DBChannel                 string        // db-channel
	DBChannelEnabled          bool          // db-channel-enabled
	DBConfig                  bool          // db-config
	DBExtraSearchPath         []string      // db-extra-search-path
	DBHoistedTxSettings       []string      // db-hoisted-tx-settings
	DBMaxRows                 int64         // db-max-rows (alias max-rows); 0 when unset
	DBPlanEnabled             bool          // db-plan-enabled
	DBPool                    int           // db-pool
	DBPoolAcquisitionTimeout  time.Duration // db-pool-acquisition-timeout (seconds)
	DBPoolMaxLifetime         time.Duration // db-pool-max-lifetime (seconds)
	DBPoolMaxIdletime         time.Duration // db-pool-max-idletime (alias db-pool-timeout)
	DBPoolAutomaticRecovery   bool          // db-pool-automatic-recovery
	DBPreConfig               QualifiedName // db-pre-config
	DBPreRequest              QualifiedName // db-pre-request (alias pre-request)
	DBPreparedStatements      bool          // db-prepared-statements
	DBRootSpec                QualifiedName // db-root-spec (alias root-spec)
	DBSchemas                 []string      // db-schemas (alias db-schema); never empty
	DBTxEnd                   TxEnd         // db-tx-end
	DBURI                     string        // db-uri
	JWTAudience               string        // jwt-aud
	JWTRoleClaimKey           string        // jwt-role-claim-key (alias role-claim-key), as written; jsonpath.Parse accepts it
	JWTSecret                 []byte        // jwt-secret after @file and base64 decoding; nil when unset
	JWTSecretIsBase64         bool          // jwt-secret-is-base64 (alias secret-is-base64)
	JWTCacheMaxEntries        int           // jwt-cache-max-entries
	LogLevel                  LogLevel      // log-level
	LogQuery                  bool          // log-query
	OpenAPIMode               OpenAPIMode   // openapi-mode
	OpenAPISecurityActive     bool          // openapi-security-active
	OpenAPIServerProxyURI     string        // openapi-server-proxy-uri
	ServerCORSAllowedOrigins  []string      // server-cors-allowed-origins; nil means any origin
	ServerHost                string        // server-host
	ServerPort                int           // server-port
	ServerReusePort           bool          // server-reuseport
	ServerTraceHeader         string        // server-trace-header
	ServerTimingEnabled       bool          // server-timing-enabled
	ServerUnixSocket          string        // server-unix-socket
	ServerUnixSocketMode      uint32        // server-unix-socket-mode
	ServerMaxBodySize         int64         // server-max-body-size (restgres extension, bytes); 0 means no limit
	URLUseLegacyTargetNames   bool          // url-use-legacy-target-names
	AdminServerHost           string        // admin-server-host
	AdminServerPort           int           // admin-server-port; 0 when unset
	AdminServerUnixSocket     string        // admin-server-unix-socket
	AdminServerUnixSocketMode uint32        // admin-server-unix-socket-mode

	// RoleSettings are the settings granted roles carry (ALTER ROLE ... SET),
	// read from the database; applied when a request switches to that role.
	RoleSettings map[string][]KeyValue
	// RoleIsolationLevel is each granted role's default_transaction_isolation.
	RoleIsolationLevel map[string]string

	// FilePath is the config file the settings came from, "" for env only.
	FilePath string

	// Warnings are problems that did not stop loading: ignored PGRST_*
	// variables, retired keys, deprecated syntax. The caller logs them. A
	// Config from WithDatabaseSettings repeats its receiver's file and
	// environment warnings, so log those of the Config put in service.
	Warnings []string

	// src is what the Config was built from, for WithDatabaseSettings; nil
	// for a Config built by hand.
	src *sources
}
