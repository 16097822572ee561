package mysqlsync

import (
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

func TestAppendLoadField(t *testing.T) {
	t.Parallel()
	if got := string(appendLoadField(nil, []byte("a\tb\nc\\d\x00e\rf"), false)); got != `a\tb\nc\\d\0e\rf` {
		t.Fatalf("escaped %q", got)
	}
	if got := string(appendLoadField(nil, nil, true)); got != `\N` {
		t.Fatalf("NULL %q", got)
	}
	if got := string(appendLoadField(nil, []byte(`\N`), false)); got != `\\N` {
		t.Fatalf("literal \\N %q", got)
	}
}

func TestMyKindOf(t *testing.T) {
	t.Parallel()
	for typ, want := range map[string]myKind{"int(11) unsigned": myInt, "bigint": myInt, "float": myFloat, "double": myFloat,
		"decimal(10,2)": myText, "varbinary(10)": myBytes, "bit(3)": myBytes, "datetime(6)": myTime, "enum('a')": myText, "json": myText} {
		if got := myKindOf(typ); got != want {
			t.Errorf("myKindOf(%q) = %v, want %v", typ, got, want)
		}
	}
}

func TestMySQLSplitCreate(t *testing.T) {
	t.Parallel()
	create := "CREATE TABLE `c` (\n  `id` int(11) NOT NULL,\n  `pid` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n" +
		"  KEY `fk` (`pid`),\n  CONSTRAINT `f``k` FOREIGN KEY (`pid`) REFERENCES `t` (`id`) ON DELETE CASCADE\n) ENGINE=InnoDB"
	stmt, fks, err := mysqlSplitCreate(syncdriver.NewQuoter(sqlschema.DialectMySQL), create, sqlschema.TableName{Schema: "d b", Table: "c"})
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE `d b`.`c` (\n  `id` int(11) NOT NULL,\n  `pid` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  KEY `fk` (`pid`)\n) ENGINE=InnoDB"
	if stmt != want {
		t.Fatalf("statement:\n%s\nwant:\n%s", stmt, want)
	}
	if fks["f`k"] != "CONSTRAINT `f``k` FOREIGN KEY (`pid`) REFERENCES `t` (`id`) ON DELETE CASCADE" {
		t.Fatalf("foreign keys %q", fks)
	}
}
