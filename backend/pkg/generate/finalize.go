package generate

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Finalize moves Postgres sequences behind numbered keys past the rows
// written, so the application's next INSERT does not collide. (MySQL's
// AUTO_INCREMENT follows by itself.)
func Finalize(ctx context.Context, p *Plan, dst *sqlconnect.DB) error {
	if dst.Postgres == nil {
		return nil
	}
	for _, t := range p.Tables {
		qt, err := sqlschema.DialectPostgres.QualifiedName(t.Name)
		if err != nil {
			return err
		}
		for _, c := range t.Columns {
			if c.Action != ActionSequence {
				continue
			}
			qc, err := sqlschema.QuotePostgresIdentifier(c.Name)
			if err != nil {
				return err
			}
			q := "SELECT setval(s, GREATEST((SELECT COALESCE(MAX(" + qc + "), 0) FROM " + qt + "), 1)) FROM pg_get_serial_sequence($1, $2) AS s WHERE s IS NOT NULL"
			if _, err := dst.Postgres.Exec(ctx, q, qt, c.Name); err != nil {
				return fmt.Errorf("reset sequence of %s.%s: %w", t.Name, c.Name, err)
			}
		}
	}
	return nil
}
