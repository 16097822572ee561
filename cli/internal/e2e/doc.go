// Package e2e drives the built neosync binary, as a user would, against the
// real platform: the neosync-api and neosync-worker binaries as processes,
// the official Temporal dev server, and real Postgres and MariaDB databases.
// Its tests run commands with exec.Command in a temporary configuration
// directory and check their output, exit codes and the databases.
package e2e
