package rpc

import (
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

func tableToProto(t sqlschema.TableName) *mgmtv1alpha1.SchemaTable {
	return &mgmtv1alpha1.SchemaTable{Schema: t.Schema, Table: t.Table}
}

func columnToProto(c sqlschema.Column) *mgmtv1alpha1.DatabaseColumn {
	return &mgmtv1alpha1.DatabaseColumn{
		Schema: c.Schema, Table: c.Table, Column: c.Name, DataType: c.DataType, IsNullable: c.IsNullable,
		ColumnDefault: c.Default, IdentityGeneration: c.IdentityGeneration, GeneratedType: c.GeneratedKind,
		GenerationExpression: c.GeneratedExpression, OrdinalPosition: int32(c.OrdinalPosition),
		CharacterMaximumLength: c.CharacterMaximumLength, NumericPrecision: c.NumericPrecision,
		NumericScale: c.NumericScale, EnumValues: c.EnumValues, IsArray: c.IsArray,
	}
}

// constraintsToProto encodes a table's keys; the API reports a foreign key
// column's NOT NULL where the schema reader reports nullability.
func constraintsToProto(tc sqlschema.TableConstraints) *mgmtv1alpha1.TableConstraints {
	pt := &mgmtv1alpha1.TableConstraints{Table: tableToProto(tc.Table), PrimaryKeyColumns: tc.PrimaryKey}
	for _, fk := range tc.ForeignKeys {
		notNull := make([]bool, len(fk.ColumnsNullable))
		for i, n := range fk.ColumnsNullable {
			notNull[i] = !n
		}
		pt.ForeignKeys = append(pt.ForeignKeys, &mgmtv1alpha1.ForeignKeyConstraint{
			ConstraintName: fk.Name, Columns: fk.Columns, NotNullable: notNull,
			ReferencedTable: tableToProto(fk.Referenced), ReferencedColumns: fk.ReferencedColumns,
		})
	}
	for _, u := range tc.UniqueConstraints {
		pt.UniqueConstraints = append(pt.UniqueConstraints, &mgmtv1alpha1.UniqueConstraint{ConstraintName: u.Name, Columns: u.Columns})
	}
	return pt
}
