package main

import (
	"os"
	"os/user"
	"strings"
)

// osUser is the login name that --operator defaults to; tests replace it so that
// golden manifests do not depend on who runs them.
var osUser = func() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username // DOMAIN\name on Windows: the reviewer sees which account
	}
	for _, env := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v := os.Getenv(env); v != "" {
			return v
		}
	}
	return ""
}

// operatorName is --operator, else the OS user, trimmed; a line break would let a name
// forge a second line on the review page's sign-off.
func operatorName(flag string) (string, error) {
	name := strings.TrimSpace(flag)
	if name == "" {
		name = strings.TrimSpace(osUser())
	}
	if strings.ContainsAny(name, "\r\n") {
		return "", usagef("--operator %q: want one line, such as a name", name)
	}
	if name == "" {
		name = "unknown"
	}
	return name, nil
}
