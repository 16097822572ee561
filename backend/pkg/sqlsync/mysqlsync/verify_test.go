package mysqlsync

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

// TestSplitCountIsExact counts tables in key intervals on several
// sessions (the estimate threshold lowered to every table) and compares
// each with one COUNT(*): keys below zero, far above the rest and at the
// interval bounds are each counted once; a table whose key is not one
// integer column is counted whole.
func TestSplitCountIsExact(t *testing.T) {
	dsn := os.Getenv("NEOSYNC_TEST_MYSQL_DSN")
	if dsn == "" {
		dsn = "root@tcp(127.0.0.1:3306)/"
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("NEOSYNC_TEST_MYSQL_DSN: %v", err)
	}
	cfg.MultiStatements = true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := "mysqlsync_split_" + rand.Text()[:10]
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatalf("MariaDB test server at NEOSYNC_TEST_MYSQL_DSN: %v", err)
	}
	defer func() { _, _ = admin.ExecContext(context.Background(), "DROP DATABASE `"+name+"`") }()
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE big (id bigint PRIMARY KEY, v int);
INSERT INTO big SELECT seq, seq FROM seq_1_to_5000;
INSERT INTO big SELECT -seq, 0 FROM seq_1_to_10;
INSERT INTO big VALUES (1000000000000, 0), (999999999999, 0), (0, 0);
CREATE TABLE words (id varchar(10) PRIMARY KEY);
INSERT INTO words SELECT concat('w', seq) FROM seq_1_to_100;
CREATE TABLE pair (a int, b int, PRIMARY KEY (a, b));
INSERT INTO pair SELECT seq, seq FROM seq_1_to_100;
CREATE TABLE empty (id int PRIMARY KEY);
ANALYZE TABLE big, words, pair, empty`); err != nil {
		t.Fatal(err)
	}
	defer func(old int64) { splitCountRows = old }(splitCountRows)
	splitCountRows = 1
	v := &mysqlVerifier{dst: db, q: syncdriver.NewQuoter(sqlschema.DialectMySQL)}
	for table, split := range map[string]bool{"big": true, "words": false, "pair": false, "empty": false} {
		tn := sqlschema.TableName{Schema: name, Table: table}
		var want int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+table+"`").Scan(&want); err != nil {
			t.Fatal(err)
		}
		n, ok, err := v.splitCount(ctx, tn, -1) // sized by the catalog
		if err != nil || ok != split || (ok && n != want) {
			t.Errorf("%s: splitCount = %d, %v, %v; want %d, split %v", table, n, ok, err, want, split)
		}
		if got, err := v.DestCount(ctx, tn, want); err != nil || got != want {
			t.Errorf("%s: DestCount = %d, %v; want %d", table, got, err, want)
		}
	}
}
