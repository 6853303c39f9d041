package request

import (
	"strconv"
	"strings"
)

// The values each preference takes, indexed by its constant: parsing and
// Preference-Applied both read them, so a value has one spelling.
var (
	resolutionValues     = [...]string{MergeDuplicates: "resolution=merge-duplicates", IgnoreDuplicates: "resolution=ignore-duplicates"}
	missingValues        = [...]string{MissingApplyDefaults: "missing=default", MissingApplyNulls: "missing=null"}
	representationValues = [...]string{ReturnRepresentation: "return=representation", ReturnMinimal: "return=minimal", ReturnHeadersOnly: "return=headers-only"}
	countValues          = [...]string{CountExact: "count=exact", CountPlanned: "count=planned", CountEstimated: "count=estimated"}
	txValues             = [...]string{TxCommit: "tx=commit", TxRollback: "tx=rollback"}
	handlingValues       = [...]string{HandlingStrict: "handling=strict", HandlingLenient: "handling=lenient"}
)

// preferenceValues maps each value to what it sets, but tx= (honoured only
// with override allowed) and the open-ended timezone= and max-affected=.
var preferenceValues = func() map[string]func(*Preferences) {
	m := map[string]func(*Preferences){}
	addValues(m, resolutionValues[:], func(p *Preferences) *Resolution { return &p.Resolution })
	addValues(m, missingValues[:], func(p *Preferences) *Missing { return &p.Missing })
	addValues(m, representationValues[:], func(p *Preferences) *Representation { return &p.Representation })
	addValues(m, countValues[:], func(p *Preferences) *Count { return &p.Count })
	addValues(m, handlingValues[:], func(p *Preferences) *Handling { return &p.Handling })
	return m
}()

// addValues adds to m a setter of field for each value in names.
func addValues[T ~uint8](m map[string]func(*Preferences), names []string, field func(*Preferences) *T) {
	for v, name := range names {
		if name != "" {
			m[name] = func(p *Preferences) { setOnce(field(p), T(v)) }
		}
	}
}

// appendValue appends the name of v, if it is set, to parts.
func appendValue[T ~uint8](parts, names []string, v T) []string {
	if v != 0 {
		parts = append(parts, names[v])
	}
	return parts
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
			case v == txValues[TxCommit]:
				if txAllowOverride {
					setOnce(&p.Tx, TxCommit)
				}
			case v == txValues[TxRollback]:
				if txAllowOverride {
					setOnce(&p.Tx, TxRollback)
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
	parts = appendValue(parts, resolutionValues[:], p.Resolution)
	parts = appendValue(parts, missingValues[:], p.Missing)
	parts = appendValue(parts, representationValues[:], p.Representation)
	parts = appendValue(parts, countValues[:], p.Count)
	parts = appendValue(parts, txValues[:], p.Tx)
	parts = appendValue(parts, handlingValues[:], p.Handling)
	if p.Timezone != "" {
		parts = append(parts, "timezone="+p.Timezone)
	}
	if p.HasMaxAffected && p.Handling == HandlingStrict {
		parts = append(parts, "max-affected="+strconv.FormatInt(p.MaxAffected, 10))
	}
	return strings.Join(parts, ", ")
}
