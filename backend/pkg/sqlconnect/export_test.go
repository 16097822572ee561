package sqlconnect

import "github.com/jackc/pgx/v5/pgconn"

// PostgresConfigForTest exposes the built pgx connection configuration.
func (c Config) PostgresConfigForTest() (*pgconn.Config, error) {
	pc, err := c.postgresConfig()
	if err != nil {
		return nil, err
	}
	return &pc.ConnConfig.Config, nil
}
