package sqlconnect

import (
	"github.com/jackc/pgx/v5"
)

// UserName is the role or user the configuration connects as, whether it is
// given as a field or inside the URL ("" when it cannot be told).
func (c Config) UserName() string {
	if c.URL == "" {
		return c.User
	}
	switch c.Driver {
	case DriverPostgres:
		if pc, err := pgx.ParseConfig(c.URL); err == nil {
			return pc.User
		}
	case DriverMySQL:
		if mc, err := parseMySQLURL(c.URL); err == nil {
			return mc.User
		}
	}
	return ""
}

// DatabaseName is the database the configuration connects to ("" when the
// configuration names none, as a MySQL URL may).
func (c Config) DatabaseName() string {
	if c.URL == "" {
		return c.Database
	}
	switch c.Driver {
	case DriverPostgres:
		if pc, err := pgx.ParseConfig(c.URL); err == nil {
			return pc.Database
		}
	case DriverMySQL:
		if mc, err := parseMySQLURL(c.URL); err == nil {
			return mc.DBName
		}
	}
	return ""
}
