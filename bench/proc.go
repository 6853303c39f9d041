package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPU time is read from /proc in clock ticks; Linux reports them in units
// of USER_HZ, which is 100 on every architecture Go supports.
const tick = 10 * time.Millisecond

// procStat is what /proc/<pid>/stat says of one process.
type procStat struct {
	ppid int
	// cpu is user+system time; children adds that of reaped children.
	cpu, children time.Duration
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// the command name (field 2) may hold spaces: fields count from the
	// last ')'
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 15 {
		return procStat{}, false
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	// f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17
	return procStat{
		ppid:     int(n(1)),
		cpu:      time.Duration(n(11)+n(12)) * tick,
		children: time.Duration(n(13)+n(14)) * tick,
	}, true
}

// pids lists the processes.
func pids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// treeCPU is the CPU time of pid, of its live children and of the
// children it has reaped: a postmaster and its backends.
func treeCPU(pid int) time.Duration {
	root, ok := readStat(pid)
	if !ok {
		return 0
	}
	total := root.cpu + root.children
	for _, p := range pids() {
		if st, ok := readStat(p); ok && st.ppid == pid {
			total += st.cpu
		}
	}
	return total
}

// processCPU is the CPU time of pid alone (its threads included).
func processCPU(pid int) time.Duration {
	st, _ := readStat(pid)
	return st.cpu
}

// rssMiB is the resident set of pid.
func rssMiB(pid int) float64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// busyCPU is the CPU time all processors have spent not idle, from
// /proc/stat.
func busyCPU() time.Duration {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0
	}
	fields := strings.Fields(sc.Text())[1:] // user nice system idle iowait irq softirq steal ...
	var busy int64
	for i, v := range fields {
		if i >= 8 {
			break
		}
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * tick
}

// loadAverage is the one-minute load average.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
