package config

import (
	"fmt"
	"strings"
)

// Options is what the command line asks for. At most one of DumpConfig,
// DumpSchema and Ready is set. Help, Version and Example mean: print and
// exit; when one is set, nothing else is.
type Options struct {
	// Path is the config file, "" when none was given (settings then come
	// from the environment only).
	Path string

	Help       bool // -h, --help: print Usage and exit
	Version    bool // -v, --version: print the version and exit
	Example    bool // -e, --example: print Example and exit
	DumpConfig bool // --dump-config: print the loaded config (Dump) and exit
	DumpSchema bool // --dump-schema: print the schema cache as JSON and exit
	// Ready asks a running server's admin endpoint /ready whether it is
	// ready, and exits 0 when it is (PostgREST's --ready).
	Ready bool
}

// ParseArgs reads the arguments after the program name, PostgREST's
// command line: [-h|-v|-e] [--dump-config|--dump-schema|--ready] [FILENAME].
// The first of -h, -v, -e wins and the rest of the line is then not
// checked, as with PostgREST; in a group of short flags (-ve) the first
// letter counts. "--" ends the flags.
func ParseArgs(args []string) (Options, error) {
	var o Options
	var mode string // the --dump-config/--dump-schema/--ready flag seen
	setMode := func(flag string, field *bool) error {
		if mode != "" {
			return fmt.Errorf("%s and %s cannot be used together", mode, flag)
		}
		mode, *field = flag, true
		return nil
	}
	var paths []string
	flags := true
	for _, a := range args {
		var err error
		switch {
		case !flags || a == "-" || !strings.HasPrefix(a, "-"):
			paths = append(paths, a)
		case a == "--":
			flags = false
		case a == "--help" || a == "-h" || strings.HasPrefix(a, "-h") && !strings.HasPrefix(a, "--"):
			return Options{Help: true}, nil
		case a == "--version" || strings.HasPrefix(a, "-v") && !strings.HasPrefix(a, "--"):
			return Options{Version: true}, nil
		case a == "--example" || strings.HasPrefix(a, "-e") && !strings.HasPrefix(a, "--"):
			return Options{Example: true}, nil
		case a == "--dump-config":
			err = setMode(a, &o.DumpConfig)
		case a == "--dump-schema":
			err = setMode(a, &o.DumpSchema)
		case a == "--ready":
			err = setMode(a, &o.Ready)
		default:
			err = fmt.Errorf("unknown option %s", a)
		}
		if err != nil {
			return Options{}, err
		}
	}
	switch len(paths) {
	case 0:
	case 1:
		o.Path = paths[0]
	default:
		return Options{}, fmt.Errorf("one config file at most, got %s", strings.Join(paths, " "))
	}
	return o, nil
}

// Usage returns the --help text.
func Usage() string {
	return `Usage: restgres [-h|-v|-e] [--dump-config | --dump-schema | --ready] [FILENAME]

restgres serves a REST API for a PostgreSQL database, as a drop-in
replacement for PostgREST: same URLs, headers, configuration and errors.

FILENAME is a config file in PostgREST's format. Without it, settings come
from PGRST_* environment variables alone; with it, those variables still win
over the file.

Options:
  -h, --help         print this help and exit
  -v, --version      print the version and exit
  -e, --example      print an example config file, every setting with its
                     default, and exit
      --dump-config  load the configuration (in-database settings included
                     when db-config is on), print it and exit
      --dump-schema  load the schema cache, print it as JSON and exit (for
                     debugging; the output format may change)
      --ready        ask the admin server of a running instance
                     (admin-server-port) whether it is ready; exit 0 if so,
                     1 if not
`
}
