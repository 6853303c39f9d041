package request

import (
	"strconv"
	"strings"
)

var preferenceValues = map[string]func(*Preferences){
	"resolution=merge-duplicates":  func(p *Preferences) { setOnce(&p.Resolution, MergeDuplicates) },
	"resolution=ignore-duplicates": func(p *Preferences) { setOnce(&p.Resolution, IgnoreDuplicates) },
	"return=representation":        func(p *Preferences) { setOnce(&p.Representation, ReturnRepresentation) },
	"return=minimal":               func(p *Preferences) { setOnce(&p.Representation, ReturnMinimal) },
	"return=headers-only":          func(p *Preferences) { setOnce(&p.Representation, ReturnHeadersOnly) },
	"count=exact":                  func(p *Preferences) { setOnce(&p.Count, CountExact) },
	"count=planned":                func(p *Preferences) { setOnce(&p.Count, CountPlanned) },
	"count=estimated":              func(p *Preferences) { setOnce(&p.Count, CountEstimated) },
	"missing=default":              func(p *Preferences) { setOnce(&p.Missing, MissingApplyDefaults) },
	"missing=null":                 func(p *Preferences) { setOnce(&p.Missing, MissingApplyNulls) },
	"handling=strict":              func(p *Preferences) { setOnce(&p.Handling, HandlingStrict) },
	"handling=lenient":             func(p *Preferences) { setOnce(&p.Handling, HandlingLenient) },
}

// setOnce keeps the first value of a preference given several times.
func setOnce[T ~uint8](dst *T, v T) {
	if *dst == 0 {
		*dst = v
	}
}

// ParsePreferences reads the Prefer headers (RFC 7240) as PostgREST does:
// comma-separated values over one or more headers, the first occurrence of
// each preference wins, tx= only counts when txAllowOverride, and values not
// understood are collected in Invalid (for handling=strict).
func ParsePreferences(headers []string, txAllowOverride bool) Preferences {
	var p Preferences
	parsePreferences(&p, headers, txAllowOverride)
	return p
}

// parsePreferences is ParsePreferences writing into p, which Parse points
// at its (heap-allocated) APIRequest: the preferences setters are called
// through a table, so a local Preferences would escape to the heap.
func parsePreferences(p *Preferences, headers []string, txAllowOverride bool) {
	var tzSeen, maSeen bool
	for _, h := range headers {
		// strings.Cut rather than strings.Split: no slice to allocate
		for rest, more := h, true; more; {
			var v string
			v, rest, more = strings.Cut(rest, ",")
			v = strings.TrimSpace(v)
			if v == "" {
				// an empty element is not a preference PostgREST accepts
				p.Invalid = append(p.Invalid, v)
				continue
			}
			if set, ok := preferenceValues[v]; ok {
				set(p)
				continue
			}
			switch {
			case v == "tx=commit" || v == "tx=rollback":
				if txAllowOverride {
					if v == "tx=commit" {
						setOnce(&p.Tx, TxCommit)
					} else {
						setOnce(&p.Tx, TxRollback)
					}
				}
			case strings.HasPrefix(v, "timezone="):
				if !tzSeen {
					p.Timezone, tzSeen = v[len("timezone="):], true
				}
			case strings.HasPrefix(v, "max-affected="):
				if !maSeen {
					maSeen = true
					if n, err := strconv.ParseInt(v[len("max-affected="):], 10, 64); err == nil {
						p.MaxAffected, p.HasMaxAffected = n, true
					}
				}
			default:
				p.Invalid = append(p.Invalid, v)
			}
		}
	}
}

// Applied renders the Preference-Applied header for the preferences
// honoured, in PostgREST's order; "" when there are none. The caller passes
// only the preferences that apply to the action (see plan).
func (p Preferences) Applied() string {
	var parts []string
	switch p.Resolution {
	case MergeDuplicates:
		parts = append(parts, "resolution=merge-duplicates")
	case IgnoreDuplicates:
		parts = append(parts, "resolution=ignore-duplicates")
	}
	switch p.Missing {
	case MissingApplyDefaults:
		parts = append(parts, "missing=default")
	case MissingApplyNulls:
		parts = append(parts, "missing=null")
	}
	switch p.Representation {
	case ReturnRepresentation:
		parts = append(parts, "return=representation")
	case ReturnMinimal:
		parts = append(parts, "return=minimal")
	case ReturnHeadersOnly:
		parts = append(parts, "return=headers-only")
	}
	switch p.Count {
	case CountExact:
		parts = append(parts, "count=exact")
	case CountPlanned:
		parts = append(parts, "count=planned")
	case CountEstimated:
		parts = append(parts, "count=estimated")
	}
	switch p.Tx {
	case TxCommit:
		parts = append(parts, "tx=commit")
	case TxRollback:
		parts = append(parts, "tx=rollback")
	}
	switch p.Handling {
	case HandlingStrict:
		parts = append(parts, "handling=strict")
	case HandlingLenient:
		parts = append(parts, "handling=lenient")
	}
	if p.Timezone != "" {
		parts = append(parts, "timezone="+p.Timezone)
	}
	if p.HasMaxAffected && p.Handling == HandlingStrict {
		parts = append(parts, "max-affected="+strconv.FormatInt(p.MaxAffected, 10))
	}
	return strings.Join(parts, ", ")
}
