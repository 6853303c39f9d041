package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/pgtest"
)

// cluster is the throwaway cluster of internal/pgtest, tuned for
// benchmarking: a quarter of the RAM (at most 4 GiB) as shared buffers,
// JIT off, no WAL beyond the minimum (pgtest already turns fsync,
// synchronous_commit and full_page_writes off).
type cluster struct {
	*pgtest.Cluster
}

const dbName = "bench"

func startCluster(conns int) (*cluster, error) {
	mem := memMB()
	c, err := pgtest.StartWith(fmt.Sprintf(`
max_connections = %d
shared_buffers = '%dMB'
effective_cache_size = '%dMB'
work_mem = '16MB'
maintenance_work_mem = '256MB'
random_page_cost = 1.1
jit = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = '4GB'
checkpoint_timeout = '30min'
log_min_messages = warning
`, 4*conns+40, min(4096, max(128, mem/4)), 3*mem/4))
	if err != nil {
		return nil, err
	}
	return &cluster{c}, nil
}

// memMB is the machine's RAM in MiB (1 GiB when unknown).
func memMB() int {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if kb, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(kb, "kB")))
			return max(1024, n/1024)
		}
	}
	return 1024
}

// psql runs psql as the superuser on the benchmark database.
func (c *cluster) psql(args ...string) error { return c.Psql(dbName, nil, args...) }

// load creates the benchmark database from schema (bench/schema.sql),
// written into the cluster's folder for psql to read.
func (c *cluster) load(schema string, films int) error {
	if err := c.Psql("postgres", nil, "-c", "CREATE DATABASE "+dbName); err != nil {
		return err
	}
	file := filepath.Join(c.Dir, "schema.sql")
	if err := os.WriteFile(file, []byte(schema), 0o644); err != nil {
		return err
	}
	if err := c.Psql(dbName, map[string]string{"films": strconv.Itoa(films)}, "-f", file); err != nil {
		return err
	}
	return c.psql("-c", "CHECKPOINT")
}

// uri is the connection string of role on the benchmark database.
func (c *cluster) uri(role string) string { return c.URI(dbName, role) }

// postmaster returns the pid of the cluster's postmaster.
func (c *cluster) postmaster() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir, "data", "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}
