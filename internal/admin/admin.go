// Package admin serves the admin endpoints PostgREST has on its
// admin-server-port: /live, /ready, /schema_cache and /metrics (Prometheus,
// with PostgREST's metric names). It observes the server through the small
// interfaces below and never touches a request.
package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Source is what the admin endpoints read from the running server.
type Source interface {
	// Live reports whether the API listener is up.
	Live() bool
	// Ready reports whether the schema cache is loaded and the database
	// answers.
	Ready(ctx context.Context) bool
	// SchemaCacheJSON returns the schema cache as JSON, nil before the
	// first load.
	SchemaCacheJSON() []byte
}

// PoolStats are the connection pool's numbers.
type PoolStats struct {
	Max, Idle, Waiting int
	// Timeouts counts acquisitions that timed out so far.
	Timeouts uint64
}

// Metrics holds the Prometheus metrics. Schema cache loads are recorded as
// they happen (the methods below); pool and JWT cache figures are read
// when scraped.
type Metrics struct {
	registry          *prometheus.Registry
	schemaCacheLoads  *prometheus.CounterVec
	schemaCacheTiming prometheus.Gauge
}

// NewMetrics registers PostgREST's metrics, the Go runtime's and the
// process's. pool and jwtCache are read at scrape time; jwtCache returns
// (lookups, hits, evictions).
func NewMetrics(pool func() PoolStats, jwtCache func() (uint64, uint64, uint64)) *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry()}
	m.schemaCacheLoads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pgrst_schema_cache_loads_total", Help: "The total number of times the schema cache was loaded",
	}, []string{"status"})
	m.schemaCacheTiming = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "pgrst_schema_cache_query_time_seconds", Help: "The query time in seconds of the last schema cache load",
	})
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	jwt := func(i int) func() float64 {
		return func() float64 {
			r, h, e := jwtCache()
			return float64([]uint64{r, h, e}[i])
		}
	}
	m.registry.MustRegister(
		m.schemaCacheLoads, m.schemaCacheTiming,
		counter("pgrst_db_pool_timeouts_total", "The total number of pool connection timeouts", func() float64 { return float64(pool().Timeouts) }),
		gauge("pgrst_db_pool_available", "Available connections in the pool", func() float64 { return float64(pool().Idle) }),
		gauge("pgrst_db_pool_waiting", "Requests waiting to acquire a pool connection", func() float64 { return float64(pool().Waiting) }),
		gauge("pgrst_db_pool_max", "Max pool connections", func() float64 { return float64(pool().Max) }),
		counter("pgrst_jwt_cache_requests_total", "The total number of JWT cache lookups", jwt(0)),
		counter("pgrst_jwt_cache_hits_total", "The total number of JWT cache hits", jwt(1)),
		counter("pgrst_jwt_cache_evictions_total", "The total number of JWT cache evictions", jwt(2)),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// both label values exist from the start, as PostgREST's counters do
	m.schemaCacheLoads.WithLabelValues("SUCCESS")
	m.schemaCacheLoads.WithLabelValues("FAIL")
	return m
}

// SchemaCacheLoaded records a successful load and its duration.
func (m *Metrics) SchemaCacheLoaded(took time.Duration) {
	m.schemaCacheLoads.WithLabelValues("SUCCESS").Inc()
	m.schemaCacheTiming.Set(took.Seconds())
}

// SchemaCacheFailed counts a failed load.
func (m *Metrics) SchemaCacheFailed() { m.schemaCacheLoads.WithLabelValues("FAIL").Inc() }

// Handler serves the admin endpoints.
func Handler(src Source, m *Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /live", func(w http.ResponseWriter, r *http.Request) {
		if src.Live() {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if src.Ready(ctx) {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("GET /schema_cache", func(w http.ResponseWriter, r *http.Request) {
		b := src.SchemaCacheJSON()
		if b == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(b)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	return mux
}
