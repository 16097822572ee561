// Package e2e runs the whole platform the way it is deployed: the real
// neosync-api and neosync-worker binaries as processes, the official Temporal
// dev server, and real Postgres databases. Its tests trigger jobs through the
// API over HTTP and check the destination databases and the run records.
package e2e
